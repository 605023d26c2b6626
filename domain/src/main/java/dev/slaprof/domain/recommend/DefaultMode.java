package dev.slaprof.domain.recommend;

import static dev.slaprof.domain.recommend.ModeRows.constraint;
import static dev.slaprof.domain.recommend.ModeRows.constraintName;
import static dev.slaprof.domain.recommend.ModeRows.top;

import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PickingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Dynamo 1.x's default mode: rows with ITL (or request latency) within the target, inclusive, tiled over the GPU
 * budget ({@code tokens/s/GPU x floor(T/n) x n / T}), best per decode mapping, ranked by that; floor(T/n) units.
 * With an optimization type and no target: every row, sorted for latency or throughput.
 */
final class DefaultMode {
    private DefaultMode() {
    }

    static ModePick pick(final PickingModes.Targets t, final List<PerfPoint> prefill, final List<PerfPoint> decode) {
        final int budget = t.totalGpus();
        final List<PairRow> rows = new ArrayList<>();
        for (final PairRow r : ModeRows.crossProduct(prefill, decode, t.osl())) {
            final int units = budget > 0 ? budget / r.n() : 1;
            final PairRow tiled = budget > 0
                ? r.deployed(Math.max(units, 0), units == 0 ? 0 : r.tokensPerGpu() * units * r.n() / budget)
                : r.deployed(1, r.tokensPerGpu());
            rows.add(tiled.judged(ModeRows.meets(t, tiled) && Double.isFinite(tiled.cluster())));
        }
        if (!t.optimizationType().isEmpty() && t.itlMs() <= 0 && t.e2eMs() <= 0) {
            return optimizationType(t, rows);
        }
        final List<PairRow> pass = rows.stream().filter(PairRow::meets).toList();
        final boolean feasible = !pass.isEmpty();
        final List<PairRow> grouped = ModeRows.bestPerDecodeMapping(feasible ? pass : rows,
            Comparator.comparingDouble(PairRow::cluster));
        if (feasible) {
            grouped.sort(Comparator.comparingDouble((PairRow r) -> -r.cluster()).thenComparing(t.e2eMs() > 0
                ? Comparator.comparingDouble(PairRow::latencyMs) : Comparator.comparingDouble(PairRow::tpotMs)));
        } else {
            grouped.sort(Comparator.comparingDouble((PairRow r) -> constraint(t, r)));
        }
        final List<PairRow> kept = top(grouped);
        final PairRow best = kept.get(0);
        final String reason = feasible
            ? String.format(Locale.ROOT, "default: highest tokens/s/GPU over the budget (%.3f%s) with %s %.3f <= %.1f "
                + "ms", best.cluster(), budget > 0 ? ", " + Math.max(best.replicas(), 0) + " units of " + best.n()
                + " GPUs in " + budget : ", no budget", constraintName(t), constraint(t, best), ModeRows.target(t))
            : ModeRows.gap(t, best, "default");
        return ModeRows.result(PickingMode.DEFAULT, constraintName(t), kept, feasible, null, reason);
    }

    private static ModePick optimizationType(final PickingModes.Targets t, final List<PairRow> rows) {
        final boolean latency = "latency".equalsIgnoreCase(t.optimizationType());
        final List<PairRow> sorted = new ArrayList<>(rows);
        sorted.sort(latency
            ? Comparator.comparingDouble(PairRow::tpotMs).thenComparingDouble(r -> -r.cluster())
            : Comparator.comparingDouble((PairRow r) -> -r.cluster()).thenComparingDouble(PairRow::tpotMs));
        final List<PairRow> kept = top(ModeRows.firstPer(sorted, r -> r.dp().getLabel())).stream()
            .map(r -> r.judged(true)).toList();
        final PairRow best = kept.get(0);
        return ModeRows.result(PickingMode.DEFAULT, "optimization_type:" + (latency ? "latency" : "throughput"), kept,
            true, null, String.format(Locale.ROOT, "optimizationType %s: %s (no SLA filter)", latency ? "latency"
                : "throughput", latency ? String.format(Locale.ROOT, "lowest ITL %.3f ms", best.tpotMs())
                : String.format(Locale.ROOT, "highest tokens/s/GPU %.3f", best.cluster())));
    }
}
