package dev.slaprof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.accuracy.Accuracy;
import dev.slaprof.accuracy.AccuracyReport;
import dev.slaprof.accuracy.AicRows;
import dev.slaprof.accuracy.FittedModelFile;
import dev.slaprof.accuracy.MeasuredFit;
import dev.slaprof.accuracy.SiliconRow;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof calibrate}: fits config/perf-model.yaml's constants per backend to measured rows and, with
 * {@code --logo}, reports the leave-one-group-out error. Writes the fitted file beside the report; it never
 * overwrites the bundled one.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Fit the performance model per backend to measured rows (AIC's silicon CSV format) and report the "
        + "leave-one-(model, system)-group-out error.")
final class CalibrateMeasuredCommand implements Callable<Integer> {
    @Mixin
    private MeasuredRowsOptions input;
    @Option(names = "--logo", description = "Also fit once per held-out (model, system) group and report the error "
        + "of each group under the fit that never saw it.")
    private boolean logo;
    @Option(names = "--max-eval", defaultValue = "400", description = "Loss evaluations per fit at most.")
    private int maxEval;
    @Option(names = "--per-group", defaultValue = "1", description = "Training rows per (group, ISL, OSL) at most.")
    private int perGroup;
    @Option(names = "--free", split = ",", defaultValue = "gemm_efficiency,bandwidth_efficiency,step_overhead_ms,"
        + "prefill_overhead_ms,request_overhead_ms,allreduce_latency_us", description = "The constants the fit moves "
        + "(of config/perf-model.yaml's fitted ones); the others keep their bundled values.")
    private List<String> freeNames;
    @Option(names = "--train-waves", defaultValue = "4", description = "Requests per client in a training replay.")
    private int trainWaves;
    @Option(names = "--waves", defaultValue = "4", description = "Requests per client in a held-out replay.")
    private int waves;
    @Option(names = "--write", defaultValue = "target/perf-model.fitted.yaml", description = "The fitted file (copy "
        + "it over config/perf-model.yaml to adopt it).")
    private Path fittedFile;
    @Option(names = "--aic-table", paramLabel = "FILE", description = "With --logo: AI Configurator's answers (a table "
        + "written by accuracy --aic-export, e.g. docs/accuracy-aic-0.12.0.json), put beside the held-out estimates.")
    private Path aicTable;
    @Option(names = "--logo-json", defaultValue = "target/calibration-logo.json", description = "With --logo: every "
        + "held-out row's estimate, and the groups' errors beside AIC's, in accuracy's JSON format.")
    private Path logoJson;
    @Option(names = "--json", defaultValue = "target/calibration-measured.json", description = "Folds and fits as "
        + "JSON.")
    private Path json;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        final MeasuredRowsOptions.Read in = input.read();
        final List<SiliconRow> rows = in.rows();
        final List<Path> files = in.files();
        in.problems().forEach(pr -> out.println("calibrate: refused " + pr));
        final Catalog catalog = input.catalog();
        final long t0 = System.nanoTime();
        final boolean[] free = new boolean[PerfParams.FITTED.length];
        for (final String n : freeNames) {
            final int i = List.of(PerfParams.FITTED).indexOf(n.trim());
            if (i < 0) {
                throw new IllegalArgumentException("--free " + n + ": not a fitted constant; they are "
                    + String.join(", ", PerfParams.FITTED));
            }
            free[i] = true;
        }
        final MeasuredFit.Outcome o = new MeasuredFit(catalog, maxEval, perGroup, trainWaves, waves, free, out)
            .run(rows, logo);
        final double seconds = (System.nanoTime() - t0) / 1e9;
        final ObjectNode report = new ObjectMapper().createObjectNode().put("rows", rows.size())
            .put("seconds", seconds).put("max_eval", maxEval).put("per_group", perGroup);
        report.set("fitted", new ObjectMapper().valueToTree(o.fitted()));
        report.set("folds", new ObjectMapper().valueToTree(o.folds()));
        if (logo) {
            final double[] below = Accuracy.overall(o.logo(), false);
            final double[] past = Accuracy.overall(o.logo(), true);
            report.put("logo_rows", (int) below[2]).put("logo_ttft_mape", below[0]).put("logo_tpot_mape", below[1])
                .put("logo_past_knee_rows", (int) past[2]);
            out.printf(Locale.ROOT, "calibrate: leave-one-group-out, below the knee: %d rows, TTFT %.1f %%, TPOT %.1f "
                + "%%; past it %d rows, TTFT %.1f %%, TPOT %.1f %%%n", (int) below[2], below[0], below[1],
                (int) past[2], past[0], past[1]);
            final AccuracyReport held = new AccuracyReport(o.logo(), in.problems(),
                aicTable == null ? Map.of() : AicRows.table(aicTable), seconds);
            if (aicTable != null) {
                held.print(out, in.total());
            }
            Files.createDirectories(logoJson.toAbsolutePath().getParent());
            Files.writeString(logoJson, new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(held.json()));
            out.println("calibrate: wrote the held-out estimates to " + logoJson);
        }
        Files.createDirectories(json.toAbsolutePath().getParent());
        Files.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.createDirectories(fittedFile.toAbsolutePath().getParent());
        Files.writeString(fittedFile, FittedModelFile.yaml(catalog, o.fitted(), String.format(Locale.ROOT,
            "`slaprof calibrate` to %d measured rows (%s; --max-eval %d --per-group %d --train-waves %d --free %s)",
            rows.size(), files.stream().map(p -> p.getFileName().toString()).toList(), maxEval, perGroup, trainWaves,
            String.join(",", freeNames))));
        out.printf(Locale.ROOT, "calibrate: %.0f s; wrote %s and %s%n", seconds, fittedFile, json);
        return 0;
    }
}
