package dev.slaprof.domain.recommend;

import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.ModeRow;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PickingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Dynamo 1.x's three picking modes over measured points (interop spec section 2), for a thorough profile: 1P1D
 * compositions of every prefill point (at the profile ISL) with every decode point (mapping and concurrency).
 * <ul>
 *   <li>autoscale: prefill rows with 1.8 x TTFT strictly under the target and decode rows with ITL strictly under
 *   it, best per mapping by seq/s/GPU, top 5 each, then every pair ranked by tokens/s/GPU; one worker each (the
 *   planner scales);</li>
 *   <li>default: rows with ITL (or request latency) within the target, inclusive, tiled over the GPU budget
 *   ({@code tokens/s/GPU x floor(T/n) x n / T}), best per decode mapping, ranked by that; floor(T/n) units;</li>
 *   <li>load-match: replicas {@code max(1, ceil(rate / seq/s))} (or by concurrency), ranked by the GPUs needed,
 *   capped to the budget with the share of the load served when nothing fits.</li>
 * </ul>
 * When nothing meets the SLA, each mode falls back to Dynamo's closest configuration, with the reason. Plain Java:
 * no Kafka types.
 */
public final class PickingModes {
    /** Dynamo's prefill efficiency in a composition. */
    public static final double PREFILL_EFFICIENCY = 0.9;
    /** Dynamo's decode efficiency in a composition. */
    public static final double DECODE_EFFICIENCY = 0.92;
    /** Autoscale's correction of a measured TTFT for queueing. */
    public static final double TTFT_CORRECTION = 1.8;
    /** Rows kept per stage. */
    public static final int TOP_N = 5;

    /**
     * What the modes need from the profile.
     *
     * @param ttftMs           TTFT target (autoscale only)
     * @param itlMs            ITL target, 0 when the constraint is the request latency or an optimization type
     * @param e2eMs            request-latency target, 0 = none (then it replaces the ITL constraint)
     * @param optimizationType "latency", "throughput" or empty
     * @param osl              OSL of the workload
     * @param requestRate      target requests/s, 0 = none
     * @param concurrency      target requests in flight, 0 = none
     * @param totalGpus        GPU budget, 0 = none
     */
    public record Targets(double ttftMs, double itlMs, double e2eMs, String optimizationType, int osl,
                          double requestRate, double concurrency, int totalGpus) {
    }

    /** A measured 1P1D row before ranking. */
    private static final class Row {
        final int p;
        final int d;
        final PerfPoint pp;
        final PerfPoint dp;
        final double ttftMs;
        final double tpotMs;
        final double latencyMs;
        final double seqPerS;
        final int n;
        final double tokensPerGpu;
        int replicas = 1;
        double cluster;
        boolean meets;

        Row(final int p, final int d, final PerfPoint pp, final PerfPoint dp, final double ttftMs, final int osl) {
            this.p = p;
            this.d = d;
            this.pp = pp;
            this.dp = dp;
            this.ttftMs = ttftMs;
            this.tpotMs = dp.getLatencyMs();
            this.latencyMs = ttftMs + tpotMs * Math.max(osl - 1, 0);
            this.seqPerS = Math.min(PREFILL_EFFICIENCY * prefillSeqPerS(pp), DECODE_EFFICIENCY * decodeSeqPerS(dp, osl));
            this.n = pp.getMapping().getGpus() + dp.getMapping().getGpus();
            this.tokensPerGpu = seqPerS * osl / n;
        }
    }

    private PickingModes() {
    }

    /** Requests/s of one prefill engine: {@code 1000 / TTFT x attn_dp}. */
    static double prefillSeqPerS(final PerfPoint p) {
        return 1000.0 / p.getLatencyMs() * Math.max(1, p.getMapping().getAttnDp());
    }

    /** Requests/s of one decode engine: {@code thpt/GPU x GPUs / OSL}. */
    static double decodeSeqPerS(final PerfPoint d, final int osl) {
        return d.getThptPerGpu() * d.getMapping().getGpus() / osl;
    }

    /**
     * The xPyD unit whose prefill and decode rates balance best (x, y up to 8, smallest total for the best balance),
     * with Dynamo's composition efficiencies: {@code x P_seq/s 0.9} against {@code y D_seq/s 0.92}.
     */
    public static int[] balancedComposition(final PerfPoint prefill, final PerfPoint decode, final int osl) {
        final double p = PREFILL_EFFICIENCY * prefillSeqPerS(prefill);
        final double d = DECODE_EFFICIENCY * decodeSeqPerS(decode, osl);
        int[] best = {1, 1};
        double bestGap = Double.MAX_VALUE;
        for (int x = 1; x <= 8; x++) {
            for (int y = 1; y <= 8; y++) {
                final double gap = Math.abs(Math.log(x * p / (y * d)));
                if (gap < bestGap - 1e-12) {
                    bestGap = gap;
                    best = new int[] {x, y};
                }
            }
        }
        return best;
    }

    /** The mode's pick over the points (both lists in sweep order); null when either is empty. */
    public static ModePick pick(final PickingMode mode, final Targets t, final List<PerfPoint> prefill,
                                final List<PerfPoint> decode) {
        if (prefill.isEmpty() || decode.isEmpty()) {
            return null;
        }
        return switch (mode) {
            case AUTOSCALE -> autoscale(t, prefill, decode);
            case LOAD_MATCH -> loadMatch(t, prefill, decode);
            default -> byDefault(t, prefill, decode);
        };
    }

    /** The constraint value of a row (request latency in e2e mode, else ITL). */
    private static double constraint(final Targets t, final Row r) {
        return t.e2eMs() > 0 ? r.latencyMs : r.tpotMs;
    }

    private static boolean meets(final Targets t, final Row r) {
        return t.e2eMs() > 0 ? r.latencyMs <= t.e2eMs() : r.tpotMs <= t.itlMs();
    }

    private static String constraintName(final Targets t) {
        return t.e2eMs() > 0 ? "e2e_latency" : "tpot";
    }

    private static List<Row> crossProduct(final List<PerfPoint> prefill, final List<PerfPoint> decode, final int osl) {
        final List<Row> rows = new ArrayList<>();
        for (int p = 0; p < prefill.size(); p++) {
            for (int d = 0; d < decode.size(); d++) {
                rows.add(new Row(p, d, prefill.get(p), decode.get(d), prefill.get(p).getLatencyMs(), osl));
            }
        }
        return rows;
    }

    /** First row per key in the list's (already sorted) order. */
    private static <T> List<T> firstPer(final List<T> sorted, final Function<T, String> key) {
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
    private static List<Row> bestPerDecodeMapping(final List<Row> rows, final Comparator<Row> better) {
        final Map<String, Row> out = new LinkedHashMap<>();
        for (final Row r : rows) {
            out.merge(r.dp.getLabel(), r, (a, b) -> better.compare(b, a) > 0 ? b : a);
        }
        return new ArrayList<>(out.values());
    }

    private static List<Row> top(final List<Row> rows) {
        return rows.subList(0, Math.min(TOP_N, rows.size()));
    }

    // ---- autoscale ---------------------------------------------------------------------------------------------

    private static ModePick autoscale(final Targets t, final List<PerfPoint> prefill, final List<PerfPoint> decode) {
        final List<Integer> pOk = new ArrayList<>();
        for (int i = 0; i < prefill.size(); i++) {
            if (TTFT_CORRECTION * prefill.get(i).getLatencyMs() < t.ttftMs()) {
                pOk.add(i);
            }
        }
        final boolean prefillMeets = !pOk.isEmpty();
        final List<Integer> pRows = keptPrefill(prefill, prefillMeets ? pOk : indices(prefill.size()), prefillMeets);
        final List<Integer> dOk = new ArrayList<>();
        for (int i = 0; i < decode.size(); i++) {
            if (decode.get(i).getLatencyMs() < t.itlMs()) {
                dOk.add(i);
            }
        }
        final boolean decodeMeets = !dOk.isEmpty();
        final List<Integer> dRows = keptDecode(decode, decodeMeets ? dOk : indices(decode.size()), decodeMeets,
            t.osl());
        final List<Row> rows = new ArrayList<>();
        for (final int p : pRows) {
            for (final int d : dRows) {
                final Row r = new Row(p, d, prefill.get(p), decode.get(d),
                    round3(TTFT_CORRECTION * prefill.get(p).getLatencyMs()), t.osl());
                r.cluster = round3(r.tokensPerGpu);
                r.meets = prefillMeets && decodeMeets;
                rows.add(r);
            }
        }
        // Ranked by tokens/s/GPU (rounded to 3 decimals, as Dynamo compares them); equal ones stay in sweep order.
        rows.sort(Comparator.comparingDouble((Row r) -> -r.cluster));
        final List<Row> kept = top(rows);
        final Row best = kept.get(0);
        final String reason;
        if (best.meets) {
            reason = String.format(Locale.ROOT, "autoscale: highest tokens/s/GPU (%.3f) of a 1P1D unit with 1.8 x "
                + "TTFT %.3f < %.1f ms and ITL %.3f < %.1f ms; the planner scales the workers", best.cluster, best.ttftMs,
                t.ttftMs(), best.tpotMs, t.itlMs());
        } else {
            reason = "autoscale: nothing meets the SLA"
                + (prefillMeets ? "" : String.format(Locale.ROOT, "; the lowest corrected TTFT is %.3f ms against %.1f",
                    TTFT_CORRECTION * lowest(prefill), t.ttftMs()))
                + (decodeMeets ? "" : String.format(Locale.ROOT, "; the lowest ITL is %.3f ms against %.1f",
                    lowest(decode), t.itlMs()))
                + "; closest configuration picked";
        }
        return result(PickingMode.AUTOSCALE, "ttft+tpot", kept, best.meets, null, reason, t);
    }

    private static double lowest(final List<PerfPoint> points) {
        return points.stream().mapToDouble(PerfPoint::getLatencyMs).min().orElse(Double.NaN);
    }

    private static List<Integer> indices(final int n) {
        final List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    private static List<Integer> keptPrefill(final List<PerfPoint> prefill, final List<Integer> idx,
                                             final boolean meets) {
        final List<Integer> sorted = new ArrayList<>(idx);
        final Comparator<Integer> bySeq = Comparator.comparingDouble(
            (Integer i) -> -prefillSeqPerS(prefill.get(i)) / prefill.get(i).getMapping().getGpus())
            .thenComparingInt(i -> Math.max(1, prefill.get(i).getMapping().getAttnDp()));
        sorted.sort(meets ? bySeq : Comparator.comparingDouble((Integer i) -> prefill.get(i).getLatencyMs())
            .thenComparing(bySeq));
        final List<Integer> first = firstPer(sorted, i -> prefill.get(i).getLabel());
        return first.subList(0, Math.min(TOP_N, first.size()));
    }

    private static List<Integer> keptDecode(final List<PerfPoint> decode, final List<Integer> idx, final boolean meets,
                                            final int osl) {
        final List<Integer> sorted = new ArrayList<>(idx);
        final Comparator<Integer> bySeq = Comparator.comparingDouble(
            (Integer i) -> -decodeSeqPerS(decode.get(i), osl) / decode.get(i).getMapping().getGpus())
            .thenComparingInt(i -> decode.get(i).getInFlight());
        sorted.sort(meets ? bySeq : Comparator.comparingDouble((Integer i) -> decode.get(i).getLatencyMs())
            .thenComparing(bySeq));
        final List<Integer> first = firstPer(sorted, i -> decode.get(i).getLabel());
        return first.subList(0, Math.min(TOP_N, first.size()));
    }

    // ---- default -----------------------------------------------------------------------------------------------

    private static ModePick byDefault(final Targets t, final List<PerfPoint> prefill, final List<PerfPoint> decode) {
        final List<Row> rows = crossProduct(prefill, decode, t.osl());
        final int budget = t.totalGpus();
        for (final Row r : rows) {
            if (budget > 0) {
                final int units = budget / r.n;
                r.cluster = units == 0 ? 0 : r.tokensPerGpu * units * r.n / budget;
                r.replicas = Math.max(units, 0);
            } else {
                r.cluster = r.tokensPerGpu;
            }
        }
        if (!t.optimizationType().isEmpty() && t.itlMs() <= 0 && t.e2eMs() <= 0) {
            return optimizationType(t, rows);
        }
        final List<Row> pass = new ArrayList<>();
        for (final Row r : rows) {
            r.meets = meets(t, r) && Double.isFinite(r.cluster);
            if (r.meets) {
                pass.add(r);
            }
        }
        final boolean feasible = !pass.isEmpty();
        final List<Row> grouped = bestPerDecodeMapping(feasible ? pass : rows,
            Comparator.comparingDouble((Row r) -> r.cluster));
        if (feasible) {
            grouped.sort(Comparator.comparingDouble((Row r) -> -r.cluster).thenComparing(t.e2eMs() > 0
                ? Comparator.comparingDouble((Row r) -> r.latencyMs) : Comparator.comparingDouble((Row r) -> r.tpotMs)));
        } else {
            grouped.sort(Comparator.comparingDouble((Row r) -> constraint(t, r)));
        }
        final List<Row> kept = top(grouped);
        final Row best = kept.get(0);
        final String reason = feasible
            ? String.format(Locale.ROOT, "default: highest tokens/s/GPU over the budget (%.3f%s) with %s %.3f <= %.1f "
                + "ms", best.cluster, budget > 0 ? ", " + Math.max(best.replicas, 0) + " units of " + best.n + " GPUs in "
                + budget : ", no budget", constraintName(t), constraint(t, best), target(t))
            : gap(t, best, "default");
        return result(PickingMode.DEFAULT, constraintName(t), kept, feasible, null, reason, t);
    }

    private static double target(final Targets t) {
        return t.e2eMs() > 0 ? t.e2eMs() : t.itlMs();
    }

    private static String gap(final Targets t, final Row best, final String mode) {
        return String.format(Locale.ROOT, "%s: no configuration meets %s <= %.1f ms; the closest is %s + %s at %d "
            + "in flight with %.3f ms (%.3f ms over)", mode, constraintName(t), target(t), best.pp.getLabel(),
            best.dp.getLabel(), best.dp.getInFlight(), constraint(t, best), constraint(t, best) - target(t));
    }

    private static ModePick optimizationType(final Targets t, final List<Row> rows) {
        final boolean latency = "latency".equalsIgnoreCase(t.optimizationType());
        final List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(latency
            ? Comparator.comparingDouble((Row r) -> r.tpotMs).thenComparingDouble(r -> -r.cluster)
            : Comparator.comparingDouble((Row r) -> -r.cluster).thenComparingDouble(r -> r.tpotMs));
        final List<Row> kept = top(firstPer(sorted, r -> r.dp.getLabel()));
        kept.forEach(r -> r.meets = true);
        final Row best = kept.get(0);
        return result(PickingMode.DEFAULT, "optimization_type:" + (latency ? "latency" : "throughput"), kept, true,
            null, String.format(Locale.ROOT, "optimizationType %s: %s (no SLA filter)", latency ? "latency" : "throughput",
                latency ? String.format(Locale.ROOT, "lowest ITL %.3f ms", best.tpotMs)
                    : String.format(Locale.ROOT, "highest tokens/s/GPU %.3f", best.cluster)), t);
    }

    // ---- load-match --------------------------------------------------------------------------------------------

    private static ModePick loadMatch(final Targets t, final List<PerfPoint> prefill, final List<PerfPoint> decode) {
        final List<Row> rows = crossProduct(prefill, decode, t.osl());
        final boolean byRate = t.requestRate() > 0;
        for (final Row r : rows) {
            r.replicas = byRate ? Math.max(1, (int) Math.ceil(t.requestRate() / r.seqPerS))
                : Math.max(1, (int) Math.ceil(t.concurrency() / r.dp.getInFlight()));
            r.cluster = r.tokensPerGpu;
            r.meets = meets(t, r);
        }
        final List<Row> pass = rows.stream().filter(r -> r.meets).toList();
        final int max = t.totalGpus();
        Double served = null;
        final List<Row> ranked;
        String how;
        boolean feasible = !pass.isEmpty();
        if (!feasible) {
            ranked = bestPerDecodeMapping(rows, Comparator.comparingDouble((Row r) -> -constraint(t, r)));
            ranked.sort(Comparator.comparingDouble((Row r) -> constraint(t, r)));
            how = gap(t, ranked.get(0), "load-match");
        } else {
            final List<Row> fit = max > 0 ? pass.stream().filter(r -> r.replicas * r.n <= max).toList() : pass;
            if (!fit.isEmpty()) {
                ranked = bestPerDecodeMapping(fit, Comparator.comparingInt((Row r) -> -r.replicas * r.n));
                ranked.sort(Comparator.comparingInt((Row r) -> r.replicas * r.n)
                    .thenComparingDouble(r -> -r.tokensPerGpu));
                final Row b = ranked.get(0);
                how = String.format(Locale.ROOT, "load-match: fewest GPUs (%d = %d x %d) serving %s with %s %.3f <= "
                    + "%.1f ms", b.replicas * b.n, b.replicas, b.n, load(t), constraintName(t), constraint(t, b),
                    target(t));
            } else if (pass.stream().noneMatch(r -> r.n <= max)) {
                // Not even one unit of any pair fits the budget: nothing can be deployed in it.
                ranked = new ArrayList<>(pass);
                ranked.sort(Comparator.comparingInt((Row r) -> r.n).thenComparingDouble(r -> -r.tokensPerGpu));
                served = 0.0;
                how = String.format(Locale.ROOT, "load-match: no prefill + decode pair meeting the target fits the budget "
                    + "of %d GPUs (the smallest takes %d)", max, ranked.get(0).n);
                feasible = false;
            } else {
                final Map<Row, Integer> uncapped = new IdentityHashMap<>();
                for (final Row r : pass) {
                    uncapped.put(r, r.replicas);
                    r.replicas = Math.max(1, max / r.n);
                    r.cluster = r.tokensPerGpu * r.replicas * r.n / max;
                }
                // A unit wider than the budget cannot be deployed in it, capped or not.
                ranked = bestPerDecodeMapping(pass.stream().filter(r -> r.n <= max).toList(),
                    Comparator.comparingDouble((Row r) -> r.cluster));
                ranked.sort(Comparator.comparingDouble((Row r) -> -r.cluster));
                final Row b = ranked.get(0);
                served = Math.round(1000.0 * b.replicas / uncapped.get(b)) / 10.0;
                how = String.format(Locale.ROOT, "load-match: %s needs %d GPUs (%d units of %d) but the budget is %d: "
                    + "capped to %d units, serving %.1f %% of the load", load(t), uncapped.get(b) * b.n,
                    uncapped.get(b), b.n, max, b.replicas, served);
                feasible = true;
            }
        }
        return result(PickingMode.LOAD_MATCH, constraintName(t), top(ranked), feasible && pass.contains(ranked.get(0)),
            served, how, t);
    }

    private static String load(final Targets t) {
        return t.requestRate() > 0 ? String.format(Locale.ROOT, "%.3f req/s", t.requestRate())
            : String.format(Locale.ROOT, "%.0f requests in flight", t.concurrency());
    }

    private static double round3(final double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static ModePick result(final PickingMode mode, final String constraint, final List<Row> rows,
                                   final boolean feasible, final Double served, final String reason, final Targets t) {
        final List<ModeRow> out = new ArrayList<>();
        for (final Row r : rows) {
            final int units = Math.max(1, r.replicas);
            out.add(ModeRow.newBuilder().setPrefillIndex(r.p).setDecodeIndex(r.d).setPrefillLabel(r.pp.getLabel())
                .setDecodeLabel(r.dp.getLabel()).setDecodeInFlight(r.dp.getInFlight()).setComposition("1P1D")
                .setPrefillReplicas(units).setDecodeReplicas(units).setGpusPerUnit(r.n).setTotalGpus(units * r.n)
                .setTtftMs(r.ttftMs).setTpotMs(r.tpotMs).setRequestLatencyMs(r.latencyMs).setSeqPerS(r.seqPerS)
                .setTokensPerSPerGpu(r.tokensPerGpu).setTokensPerSPerUser(1000.0 / r.tpotMs)
                .setClusterTokensPerSPerGpu(r.cluster).setMeetsSla(r.meets).build());
        }
        return ModePick.newBuilder().setMode(mode).setConstraint(constraint).setRows(out).setFeasible(feasible)
            .setLoadServedPct(served).setReason(reason).build();
    }
}
