package dev.slaprof.accuracy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code slaprof calibrate}'s work: fits the constants named free per backend to measured rows ({@link MeasuredFit}),
 * optionally with the leave-one-group-out folds, and writes the fitted perf-model YAML and the reports. It never
 * writes the bundled file.
 *
 * @param catalog    the catalog whose constants start the fit
 * @param maxEval    loss evaluations per fit at most
 * @param perGroup   training rows per (group, ISL, OSL) at most
 * @param trainWaves requests per client in a training replay
 * @param waves      requests per client in a held-out replay
 * @param free       the names of the constants the fit moves per (backend, generation)
 * @param pooled     the names of the constants fitted once over every backend's rows and shared (before the per-unit
 *                   fit; held out like the rest under leave-one-group-out)
 * @param pooledMaxEval loss evaluations of a pooled fit at most
 */
public record MeasuredCalibration(Catalog catalog, int maxEval, int perGroup, int trainWaves, int waves,
                                  List<String> free, List<String> pooled, int pooledMaxEval) {
    /** Where the results go. {@code aicTable} (may be null) puts AIC's answers beside the held-out estimates. */
    public record Outputs(Path fitted, Path json, Path logoJson, Path aicTable) {
    }

    /** Which of {@link PerfParams#FITTED} {@code names} frees; an unknown name is an error listing the known ones. */
    static boolean[] mask(final List<String> names, final String option) {
        final boolean[] mask = new boolean[PerfParams.FITTED.length];
        for (final String n : names) {
            final int i = List.of(PerfParams.FITTED).indexOf(n.trim());
            if (i < 0) {
                throw new IllegalArgumentException(option + " " + n + ": not a fitted constant; they are "
                    + String.join(", ", PerfParams.FITTED));
            }
            mask[i] = true;
        }
        return mask;
    }

    /** {@link #mask} of {@code pooled}; a constant also in {@code perUnit} (--free's mask) is an error naming it. */
    static boolean[] pooledMask(final boolean[] perUnit, final List<String> pooled) {
        final boolean[] shared = mask(pooled, "--pooled");
        for (int i = 0; i < shared.length; i++) {
            if (perUnit[i] && shared[i]) {
                throw new IllegalArgumentException(PerfParams.FITTED[i] + " is in both --free and --pooled: a constant "
                    + "is either shared by every backend or fitted per backend and generation");
            }
        }
        return shared;
    }

    /** Fits to {@code in}'s rows, held out per (model, system) group with {@code logo}; prints and writes {@code to}. */
    public MeasuredFit.Outcome run(final MeasuredRows in, final boolean logo, final Outputs to, final PrintStream out)
        throws IOException {
        in.problems().forEach(pr -> out.println("calibrate: refused " + pr));
        final boolean[] mask = mask(free, "--free");
        final boolean[] shared = pooledMask(mask, pooled);
        final long t0 = System.nanoTime();
        final MeasuredFit.Outcome o = new MeasuredFit(catalog, new MeasuredFit.Settings(maxEval, perGroup, trainWaves, waves,
            mask, shared, pooledMaxEval), out)
            .run(in.rows(), logo);
        final double seconds = (System.nanoTime() - t0) / 1e9;
        final ObjectMapper json = new ObjectMapper();
        final ObjectNode report = json.createObjectNode().put("rows", in.rows().size()).put("seconds", seconds)
            .put("max_eval", maxEval).put("per_group", perGroup).put("free", String.join(",", free))
            .put("pooled", String.join(",", pooled)).put("pooled_max_eval", pooledMaxEval);
        report.set("fitted", json.valueToTree(o.fitted()));
        report.set("folds", json.valueToTree(o.folds()));
        if (logo) {
            final double[] below = Accuracy.overall(o.logo(), false);
            final double[] past = Accuracy.overall(o.logo(), true);
            report.put("logo_rows", (int) below[2]).put("logo_ttft_mape", below[0]).put("logo_tpot_mape", below[1])
                .put("logo_past_knee_rows", (int) past[2]);
            out.printf(Locale.ROOT, "calibrate: leave-one-group-out, below the knee: %d rows, TTFT %.1f %%, TPOT %.1f "
                + "%%; past it %d rows, TTFT %.1f %%, TPOT %.1f %%%n", (int) below[2], below[0], below[1],
                (int) past[2], past[0], past[1]);
            final AccuracyReport held = new AccuracyReport(o.logo(), in.problems(),
                to.aicTable() == null ? Map.of() : AicRows.table(to.aicTable()), seconds);
            if (to.aicTable() != null) {
                held.print(out, in.total());
            }
            AccuracyBench.writeJson(to.logoJson(), held.json());
            out.println("calibrate: wrote the held-out estimates to " + to.logoJson());
        }
        AccuracyBench.writeJson(to.json(), report);
        AccuracyBench.write(to.fitted(), FittedModelFile.yaml(catalog, o.fitted(), String.format(
            Locale.ROOT, "`slaprof calibrate` to %d measured rows (%s; --max-eval %d --per-group %d --train-waves %d "
                + "--free %s)", in.rows().size(), in.files().stream().map(p -> p.getFileName().toString()).toList(),
            maxEval, perGroup, trainWaves, String.join(",", free)) + (pooled.isEmpty() ? "" : String.format(Locale.ROOT,
            " --pooled %s --pooled-max-eval %d", String.join(",", pooled), pooledMaxEval))));
        out.printf(Locale.ROOT, "calibrate: %.0f s; wrote %s and %s%n", seconds, to.fitted(), to.json());
        return o;
    }
}
