package dev.slaprof.accuracy;

import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Replays measured rows and measures the error per group (model, system, backend, precision, mode): the mean absolute
 * percentage error of TTFT and TPOT, on rows below the KV-capacity queueing knee and, apart, past it; beside it the
 * error of AI Configurator's own estimate of the same rows when given.
 */
public final class Accuracy {
    private Accuracy() {
    }

    /**
     * One group's errors.
     *
     * @param rows          rows replayed below the knee
     * @param pastKnee      rows replayed past the knee (prompts waited for KV room)
     * @param ttftMape      TTFT mean absolute percentage error below the knee, %
     * @param tpotMape      TPOT mean absolute percentage error below the knee, %
     * @param kneeTtftMape  TTFT error past the knee, %
     * @param kneeTpotMape  TPOT error past the knee, %
     * @param aicRows       rows (either side of the knee) both slaprof and AIC estimated
     * @param ownTtftOnAic  slaprof's TTFT error on those rows, %
     * @param ownTpotOnAic  slaprof's TPOT error on those rows, %
     * @param aicTtftMape   AIC's TTFT error on those rows, %
     * @param aicTpotMape   AIC's TPOT error on those rows, %
     */
    public record Group(String model, String system, String backend, String precision, String mode, int rows,
                        int pastKnee, double ttftMape, double tpotMape, double kneeTtftMape, double kneeTpotMape,
                        int aicRows, double ownTtftOnAic, double ownTpotOnAic, double aicTtftMape,
                        double aicTpotMape) {
        public String key() {
            return model + " | " + system + " | " + backend + " | " + precision + " | " + mode;
        }
    }

    /**
     * Replays every row, on every core; the estimates come back in the rows' order. {@code params} gives the
     * constants of a backend on a GPU generation.
     */
    public static List<RowReplay.Estimate> replay(final List<SiliconRow> rows, final Catalog catalog, final int waves,
                                                  final BiFunction<String, String, PerfParams> params) {
        final RowReplay replay = new RowReplay(catalog, waves);
        return rows.parallelStream().map(r -> replay.replay(r, params)).toList();
    }

    /** Skipped rows counted by reason. */
    public static Map<String, Integer> skipped(final List<RowReplay.Estimate> estimates) {
        final Map<String, Integer> m = new TreeMap<>();
        for (final RowReplay.Estimate e : estimates) {
            if (!e.replayed()) {
                m.merge(e.skip(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** Absolute percentage error of an estimate. */
    static double ape(final double est, final double measured) {
        return Math.abs(est - measured) / measured * 100;
    }

    /** The groups' errors; {@code aic} maps row ids to AIC's estimate (TTFT, TPOT) where it gave one. */
    public static List<Group> groups(final List<RowReplay.Estimate> estimates, final Map<String, double[]> aic) {
        final Map<String, List<RowReplay.Estimate>> by = new TreeMap<>();
        for (final RowReplay.Estimate e : estimates) {
            if (e.replayed() && Double.isFinite(e.ttftMs()) && Double.isFinite(e.tpotMs())) {
                by.computeIfAbsent(e.row().group(), k -> new ArrayList<>()).add(e);
            }
        }
        final List<Group> out = new ArrayList<>();
        by.forEach((k, es) -> {
            final double[] below = new double[3];
            final double[] past = new double[3];
            final double[] own = new double[3];
            final double[] theirs = new double[3];
            for (final RowReplay.Estimate e : es) {
                final SiliconRow r = e.row();
                final double[] acc = e.kvLimited() ? past : below;
                acc[0] += ape(e.ttftMs(), r.ttftMs());
                acc[1] += ape(e.tpotMs(), r.tpotMs());
                acc[2]++;
                final double[] a = aic.get(r.id());
                if (a != null) {
                    own[0] += ape(e.ttftMs(), r.ttftMs());
                    own[1] += ape(e.tpotMs(), r.tpotMs());
                    own[2]++;
                    theirs[0] += ape(a[0], r.ttftMs());
                    theirs[1] += ape(a[1], r.tpotMs());
                    theirs[2]++;
                }
            }
            final SiliconRow r0 = es.get(0).row();
            out.add(new Group(r0.model(), r0.system(), r0.backend(), r0.precision().isEmpty() ? "bf16" : r0.precision(),
                r0.mode(), (int) below[2], (int) past[2], mean(below, 0), mean(below, 1), mean(past, 0),
                mean(past, 1), (int) own[2], mean(own, 0), mean(own, 1), mean(theirs, 0), mean(theirs, 1)));
        });
        return out;
    }

    private static double mean(final double[] acc, final int i) {
        return acc[2] == 0 ? Double.NaN : acc[i] / acc[2];
    }

    /** Mean absolute percentage errors (TTFT, TPOT) over the replayed rows of {@code estimates} on one side of the knee. */
    public static double[] overall(final List<RowReplay.Estimate> estimates, final boolean pastKnee) {
        final double[] acc = new double[3];
        for (final RowReplay.Estimate e : estimates) {
            if (e.replayed() && e.kvLimited() == pastKnee && Double.isFinite(e.ttftMs()) && Double.isFinite(e.tpotMs())) {
                acc[0] += ape(e.ttftMs(), e.row().ttftMs());
                acc[1] += ape(e.tpotMs(), e.row().tpotMs());
                acc[2]++;
            }
        }
        return new double[] {mean(acc, 0), mean(acc, 1), acc[2]};
    }
}
