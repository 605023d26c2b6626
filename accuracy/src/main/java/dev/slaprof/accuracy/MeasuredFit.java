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
import java.util.function.BiFunction;

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
    private final boolean[] pooled;
    private final int pooledMaxEval;
    /** Pooled constants fitted without each held-out (model, system) group, so a group in two backends fits once. */
    private final Map<String, PerfParams> pooledWithout = new TreeMap<>();

    /**
     * How to fit.
     *
     * @param maxEval       loss evaluations of a per-unit fit at most
     * @param perGroup      training rows per (group, ISL, OSL) at most
     * @param trainWaves    requests per client in a training replay
     * @param waves         requests per client in a held-out replay
     * @param free          which of {@link PerfParams#FITTED} the fit moves per (backend, generation) (the others keep
     *                      the catalog's values)
     * @param pooled        which it fits once over the rows of every backend and generation, shared by all, before
     *                      the per-unit fit (none: all false)
     * @param pooledMaxEval loss evaluations of a pooled fit at most
     */
    public record Settings(int maxEval, int perGroup, int trainWaves, int waves, boolean[] free, boolean[] pooled,
                           int pooledMaxEval) {
    }

    public MeasuredFit(final Catalog catalog, final Settings settings, final PrintStream out) {
        this.catalog = catalog;
        this.free = settings.free();
        this.pooled = settings.pooled();
        this.pooledMaxEval = settings.pooledMaxEval();
        this.maxEval = settings.maxEval();
        this.perGroup = settings.perGroup();
        this.trainWaves = settings.trainWaves();
        this.waves = settings.waves();
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
        return loss(rows, (b, g) -> params, replayWaves);
    }

    /** The loss of the constants {@code paramsOf} gives each backend and generation, on {@code rows}. */
    double loss(final List<SiliconRow> rows, final BiFunction<String, String, PerfParams> paramsOf,
                final int replayWaves) {
        final List<RowReplay.Estimate> es = Accuracy.replay(rows, catalog, replayWaves, paramsOf);
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

    /** {@code unit}'s constants with the pooled ones taken from {@code shared}. */
    PerfParams overlay(final PerfParams unit, final PerfParams shared) {
        if (shared == null) {
            return unit;
        }
        final double[] u = unit.fitted();
        final double[] v = shared.fitted();
        for (int i = 0; i < u.length; i++) {
            if (pooled[i]) {
                u[i] = v[i];
            }
        }
        return unit.withFitted(u);
    }

    private boolean anyPooled() {
        for (final boolean b : pooled) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /**
     * The pooled constants fitted to {@code rows} of every backend and generation (each row replayed with its own
     * unit's catalog constants, the pooled ones shared), from the catalog's top-level values; null when none is pooled.
     */
    PerfParams fitPooled(final List<SiliconRow> rows) {
        if (!anyPooled()) {
            return null;
        }
        final List<SiliconRow> train = stratified(rows, perGroup);
        return ParamFit.fit(catalog.params(""), pooled, shared -> loss(train,
            (b, g) -> overlay(catalog.params(b, g), shared), trainWaves), pooledMaxEval);
    }

    private String pooledValues(final PerfParams shared) {
        final StringBuilder values = new StringBuilder();
        for (int i = 0; i < pooled.length; i++) {
            if (pooled[i]) {
                values.append(' ').append(PerfParams.FITTED[i]).append('=')
                    .append(String.format(Locale.ROOT, "%.6g", shared.fitted()[i]));
            }
        }
        return values.toString();
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
        final List<SiliconRow> replayable = new ArrayList<>();
        byBackend.values().forEach(replayable::addAll);
        final PerfParams shared = fitPooled(replayable);
        if (shared != null) {
            out.printf(Locale.ROOT, "calibrate: pooled over %d rows of every backend:%s (%.0f s so far)%n",
                replayable.size(), pooledValues(shared), (System.nanoTime() - t0) / 1e9);
        }
        for (final Map.Entry<String, List<SiliconRow>> b : byBackend.entrySet()) {
            final String[] unit = b.getKey().split("/");
            final PerfParams start = overlay(catalog.params(unit[0], unit[1]), shared);
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
                // The pooled constants too are fitted without the held-out group (on every backend's other rows).
                final PerfParams sharedWithout = shared == null ? null : pooledWithout.computeIfAbsent(g,
                    heldOut -> fitPooled(replayable.stream().filter(r -> !modelSystem(r).equals(heldOut)).toList()));
                final PerfParams foldStart = overlay(catalog.params(unit[0], unit[1]), sharedWithout);
                final PerfParams p = train.isEmpty() ? foldStart : fit(train, foldStart);
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
