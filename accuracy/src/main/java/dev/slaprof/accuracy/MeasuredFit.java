package dev.slaprof.accuracy;

import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Fits the performance model's constants to measured rows, per backend, and validates the fit honestly: with
 * leave-one-group-out, each (model, system) group of a backend is predicted by a fit that never saw it, which is a
 * user's situation with a new model or a new GPU.
 *
 * <p>Each (backend, GPU generation) gets its own constants. The loss is the mean over rows of |ln(estimated /
 * measured TTFT)| + |ln(estimated / measured TPOT)| (absolute, so that a few rows whose measurement holds a queue the
 * model does not have cannot dominate it), on rows the replay finds below the KV-capacity queueing knee. To keep a fit to minutes on two cores, it trains on a stratified
 * subset (at most {@code perGroup} rows of each group, ISL and OSL) replayed with {@code trainWaves} waves; the
 * held-out rows are replayed in full.
 */
public final class MeasuredFit {
    /**
     * One held-out group's result.
     *
     * @param backend  its backend
     * @param group    model | system
     * @param rows     rows predicted below the knee
     * @param ttftMape TTFT error of the fit that never saw it, %
     * @param tpotMape TPOT error of that fit, %
     */
    public record Fold(String backend, String group, int rows, double ttftMape, double tpotMape) {
    }

    /**
     * @param fitted per backend/generation (e.g. vllm/hopper), the constants fitted on all its rows
     * @param logo   every row of every held-out group, predicted by the fold that left its group out
     * @param folds  the folds
     */
    public record Outcome(Map<String, PerfParams> fitted, List<RowReplay.Estimate> logo, List<Fold> folds) {
    }

    private final Catalog catalog;
    private final int maxEval;
    private final int perGroup;
    private final int trainWaves;
    private final int waves;
    private final PrintStream out;
    private final boolean[] free;

    /**
     * @param free which of {@link PerfParams#FITTED} the fit moves (the others keep the bundled values)
     */
    public MeasuredFit(final Catalog catalog, final int maxEval, final int perGroup, final int trainWaves,
                       final int waves, final boolean[] free, final PrintStream out) {
        this.catalog = catalog;
        this.free = free;
        this.maxEval = maxEval;
        this.perGroup = perGroup;
        this.trainWaves = trainWaves;
        this.waves = waves;
        this.out = out;
    }

    /** (model, system): the unit leave-one-group-out holds out. */
    static String modelSystem(final SiliconRow r) {
        return r.model() + " | " + r.system();
    }

    /** At most {@code n} rows of each (group, ISL, OSL), in file order. */
    static List<SiliconRow> stratified(final List<SiliconRow> rows, final int n) {
        return SiliconRow.firstOfEach(rows, n, r -> r.group() + "|" + r.isl() + "x" + r.osl());
    }

    /** The loss of {@code params} on {@code rows}: mean absolute log ratios below the knee (infinite when none). */
    double loss(final List<SiliconRow> rows, final PerfParams params, final int replayWaves) {
        final List<RowReplay.Estimate> es = Accuracy.replay(rows, catalog, replayWaves, (b, g) -> params);
        double sum = 0;
        int n = 0;
        for (final RowReplay.Estimate e : es) {
            if (e.replayed() && !e.kvLimited() && e.ttftMs() > 0 && e.tpotMs() > 0) {
                sum += Math.abs(Math.log(e.ttftMs() / e.row().ttftMs())) + Math.abs(Math.log(e.tpotMs()
                    / e.row().tpotMs()));
                n++;
            }
        }
        return n == 0 ? Double.POSITIVE_INFINITY : sum / n;
    }

    /** The constants of one backend fitted to {@code rows}, from {@code start}. */
    public PerfParams fit(final List<SiliconRow> rows, final PerfParams start) {
        final List<SiliconRow> train = stratified(rows, perGroup);
        return ParamFit.fit(start, free, p -> loss(train, p, trainWaves), maxEval);
    }

    /**
     * Fits every backend of {@code rows} on all its rows and, with {@code logo}, once more per held-out
     * (model, system) group. Rows the replay cannot run are left out first (their reasons are accuracy's to show).
     */
    public Outcome run(final List<SiliconRow> rows, final boolean logo) {
        final Map<String, List<SiliconRow>> byBackend = new TreeMap<>();
        final List<RowReplay.Estimate> probe = Accuracy.replay(rows, catalog, 1, catalog::params);
        final RowReplay gens = new RowReplay(catalog, 1);
        for (final RowReplay.Estimate e : probe) {
            if (e.replayed()) {
                byBackend.computeIfAbsent(e.row().backend() + "/" + gens.generation(e.row()), k -> new ArrayList<>())
                    .add(e.row());
            }
        }
        final Map<String, PerfParams> fitted = new TreeMap<>();
        final List<RowReplay.Estimate> held = new ArrayList<>();
        final List<Fold> folds = new ArrayList<>();
        final long t0 = System.nanoTime();
        for (final Map.Entry<String, List<SiliconRow>> b : byBackend.entrySet()) {
            final String[] unit = b.getKey().split("/");
            final PerfParams start = catalog.params(unit[0], unit[1]);
            final PerfParams all = fit(b.getValue(), start);
            fitted.put(b.getKey(), all);
            out.printf(Locale.ROOT, "calibrate: %s fitted on %d rows (%.0f s so far)%n", b.getKey(), b.getValue().size(),
                (System.nanoTime() - t0) / 1e9);
            if (!logo) {
                continue;
            }
            final TreeSet<String> groups = new TreeSet<>();
            b.getValue().forEach(r -> groups.add(modelSystem(r)));
            int k = 0;
            for (final String g : groups) {
                final List<SiliconRow> train = new ArrayList<>();
                final List<SiliconRow> test = new ArrayList<>();
                for (final SiliconRow r : b.getValue()) {
                    (modelSystem(r).equals(g) ? test : train).add(r);
                }
                final PerfParams p = train.isEmpty() ? start : fit(train, start);
                final List<RowReplay.Estimate> es = Accuracy.replay(test, catalog, waves, (x, y) -> p);
                held.addAll(es);
                final double[] e = Accuracy.overall(es, false);
                folds.add(new Fold(b.getKey(), g, (int) e[2], e[0], e[1]));
                out.printf(Locale.ROOT, "calibrate: %s fold %d/%d, %s held out: %d rows, TTFT %.1f %% TPOT %.1f %% "
                    + "(%.0f s so far)%n", b.getKey(), ++k, groups.size(), g, (int) e[2], e[0], e[1],
                    (System.nanoTime() - t0) / 1e9);
            }
        }
        return new Outcome(fitted, held, folds);
    }
}
