package dev.slaprof.domain.recommend;

import static dev.slaprof.domain.recommend.ModeRows.constraint;
import static dev.slaprof.domain.recommend.ModeRows.constraintName;

import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PickingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Dynamo 1.x's load-match mode: replicas {@code max(1, ceil(rate / seq/s))} (or by concurrency), ranked by the GPUs
 * needed; when nothing fits the budget, capped to it, with the share of the load served. A unit wider than the
 * budget is never deployed in it.
 */
final class LoadMatchMode {
    private LoadMatchMode() {
    }

    static ModePick pick(final PickingModes.Targets t, final List<PerfPoint> prefill, final List<PerfPoint> decode) {
        final boolean byRate = t.requestRate() > 0;
        final List<PairRow> rows = new ArrayList<>();
        for (final PairRow r : ModeRows.crossProduct(prefill, decode, t.osl())) {
            final int replicas = byRate ? Math.max(1, (int) Math.ceil(t.requestRate() / r.seqPerS()))
                : Math.max(1, (int) Math.ceil(t.concurrency() / r.dp().getInFlight()));
            final PairRow sized = r.deployed(replicas, r.tokensPerGpu());
            rows.add(sized.judged(ModeRows.meets(t, sized)));
        }
        final List<PairRow> pass = rows.stream().filter(PairRow::meets).toList();
        final int max = t.totalGpus();
        Double served = null;
        final List<PairRow> ranked;
        final String how;
        boolean feasible = !pass.isEmpty();
        if (!feasible) {
            ranked = ModeRows.bestPerDecodeMapping(rows, Comparator.comparingDouble((PairRow r) -> -constraint(t, r)));
            ranked.sort(Comparator.comparingDouble((PairRow r) -> constraint(t, r)));
            how = ModeRows.gap(t, ranked.get(0), "load-match");
        } else {
            final List<PairRow> fit = max > 0 ? pass.stream().filter(r -> r.replicas() * r.n() <= max).toList() : pass;
            if (!fit.isEmpty()) {
                ranked = ModeRows.bestPerDecodeMapping(fit, Comparator.comparingInt((PairRow r) -> -r.replicas()
                    * r.n()));
                ranked.sort(Comparator.comparingInt((PairRow r) -> r.replicas() * r.n())
                    .thenComparingDouble(r -> -r.tokensPerGpu()));
                final PairRow b = ranked.get(0);
                how = String.format(Locale.ROOT, "load-match: fewest GPUs (%d = %d x %d) serving %s with %s %.3f <= "
                    + "%.1f ms", b.replicas() * b.n(), b.replicas(), b.n(), load(t), constraintName(t),
                    constraint(t, b), ModeRows.target(t));
            } else if (pass.stream().noneMatch(r -> r.n() <= max)) {
                // Not even one unit of any pair fits the budget: nothing can be deployed in it.
                ranked = new ArrayList<>(pass);
                ranked.sort(Comparator.comparingInt(PairRow::n).thenComparingDouble(r -> -r.tokensPerGpu()));
                served = 0.0;
                how = String.format(Locale.ROOT, "load-match: no prefill + decode pair meeting the target fits the "
                    + "budget of %d GPUs (the smallest takes %d)", max, ranked.get(0).n());
                feasible = false;
            } else {
                final Map<PairRow, Integer> uncapped = new IdentityHashMap<>();
                final List<PairRow> capped = new ArrayList<>();
                // A unit wider than the budget cannot be deployed in it, capped or not.
                for (final PairRow r : pass.stream().filter(r -> r.n() <= max).toList()) {
                    final int units = Math.max(1, max / r.n());
                    final PairRow c = r.deployed(units, r.tokensPerGpu() * units * r.n() / max);
                    uncapped.put(c, r.replicas());
                    capped.add(c);
                }
                ranked = ModeRows.bestPerDecodeMapping(capped, Comparator.comparingDouble(PairRow::cluster));
                ranked.sort(Comparator.comparingDouble((PairRow r) -> -r.cluster()));
                final PairRow b = ranked.get(0);
                served = Math.round(1000.0 * b.replicas() / uncapped.get(b)) / 10.0;
                how = String.format(Locale.ROOT, "load-match: %s needs %d GPUs (%d %s of %d) but the budget is %d: "
                    + "capped to %d %s, serving %.1f %% of the load", load(t), uncapped.get(b) * b.n(),
                    uncapped.get(b), units(uncapped.get(b)), b.n(), max, b.replicas(), units(b.replicas()), served);
            }
        }
        return ModeRows.result(PickingMode.LOAD_MATCH, constraintName(t), ModeRows.top(ranked),
            feasible && ranked.get(0).meets(), served, how);
    }

    private static String load(final PickingModes.Targets t) {
        return t.requestRate() > 0 ? String.format(Locale.ROOT, "%.3f req/s", t.requestRate())
            : String.format(Locale.ROOT, "%.0f requests in flight", t.concurrency());
    }

    private static String units(final int n) {
        return n == 1 ? "unit" : "units";
    }
}
