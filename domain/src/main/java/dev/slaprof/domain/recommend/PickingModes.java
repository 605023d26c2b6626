package dev.slaprof.domain.recommend;

import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PickingMode;
import java.util.List;

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
 * When nothing meets the SLA, each mode falls back to Dynamo's closest configuration, with the reason. One class per
 * mode ({@link AutoscaleMode}, {@link DefaultMode}, {@link LoadMatchMode}) over immutable {@link PairRow}s; this one
 * holds what they share with the recommendation. Plain Java: no Kafka types.
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
            case AUTOSCALE -> AutoscaleMode.pick(t, prefill, decode);
            case LOAD_MATCH -> LoadMatchMode.pick(t, prefill, decode);
            default -> DefaultMode.pick(t, prefill, decode);
        };
    }
}
