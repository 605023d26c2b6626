package dev.slaprof.domain.recommend;

import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.ModeRow;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PickingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** What the three picking modes share: the cross product, the constraint, grouping, the top rows, the result. */
final class ModeRows {
    private ModeRows() {
    }

    static List<PairRow> crossProduct(final List<PerfPoint> prefill, final List<PerfPoint> decode, final int osl) {
        final List<PairRow> rows = new ArrayList<>();
        for (int p = 0; p < prefill.size(); p++) {
            for (int d = 0; d < decode.size(); d++) {
                rows.add(PairRow.of(p, d, prefill.get(p), decode.get(d), prefill.get(p).getLatencyMs(), osl));
            }
        }
        return rows;
    }

    /** The constraint value of a row (request latency in e2e mode, else ITL). */
    static double constraint(final PickingModes.Targets t, final PairRow r) {
        return t.e2eMs() > 0 ? r.latencyMs() : r.tpotMs();
    }

    static boolean meets(final PickingModes.Targets t, final PairRow r) {
        return t.e2eMs() > 0 ? r.latencyMs() <= t.e2eMs() : r.tpotMs() <= t.itlMs();
    }

    static String constraintName(final PickingModes.Targets t) {
        return t.e2eMs() > 0 ? "e2e_latency" : "tpot";
    }

    static double target(final PickingModes.Targets t) {
        return t.e2eMs() > 0 ? t.e2eMs() : t.itlMs();
    }

    /** Why nothing met the target, naming the closest row. */
    static String gap(final PickingModes.Targets t, final PairRow best, final String mode) {
        return String.format(Locale.ROOT, "%s: no configuration meets %s <= %.1f ms; the closest is %s + %s at %d "
            + "in flight with %.3f ms (%.3f ms over)", mode, constraintName(t), target(t), best.pp().getLabel(),
            best.dp().getLabel(), best.dp().getInFlight(), constraint(t, best), constraint(t, best) - target(t));
    }

    /** First row per key in the list's (already sorted) order. */
    static <T> List<T> firstPer(final List<T> sorted, final Function<T, String> key) {
        final Map<String, T> out = new LinkedHashMap<>();
        for (final T r : sorted) {
            out.putIfAbsent(key.apply(r), r);
        }
        return new ArrayList<>(out.values());
    }

    /**
     * Keeps, per decode mapping, the best row ({@code better} orders worse before better; the first of equals
     * stays), in first-seen order.
     */
    static List<PairRow> bestPerDecodeMapping(final List<PairRow> rows, final Comparator<PairRow> better) {
        final Map<String, PairRow> out = new LinkedHashMap<>();
        for (final PairRow r : rows) {
            out.merge(r.dp().getLabel(), r, (a, b) -> better.compare(b, a) > 0 ? b : a);
        }
        return new ArrayList<>(out.values());
    }

    static List<PairRow> top(final List<PairRow> rows) {
        return rows.subList(0, Math.min(PickingModes.TOP_N, rows.size()));
    }

    static double round3(final double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    static ModePick result(final PickingMode mode, final String constraint, final List<PairRow> rows,
                           final boolean feasible, final Double served, final String reason) {
        final List<ModeRow> out = new ArrayList<>();
        for (final PairRow r : rows) {
            final int units = Math.max(1, r.replicas());
            out.add(ModeRow.newBuilder().setPrefillIndex(r.p()).setDecodeIndex(r.d())
                .setPrefillLabel(r.pp().getLabel()).setDecodeLabel(r.dp().getLabel())
                .setDecodeInFlight(r.dp().getInFlight()).setComposition("1P1D").setPrefillReplicas(units)
                .setDecodeReplicas(units).setGpusPerUnit(r.n()).setTotalGpus(units * r.n()).setTtftMs(r.ttftMs())
                .setTpotMs(r.tpotMs()).setRequestLatencyMs(r.latencyMs()).setSeqPerS(r.seqPerS())
                .setTokensPerSPerGpu(r.tokensPerGpu()).setTokensPerSPerUser(1000.0 / r.tpotMs())
                .setClusterTokensPerSPerGpu(r.cluster()).setMeetsSla(r.meets()).build());
        }
        return ModePick.newBuilder().setMode(mode).setConstraint(constraint).setRows(out).setFeasible(feasible)
            .setLoadServedPct(served).setReason(reason).build();
    }
}
