package dev.slaprof.domain.recommend;

import dev.slaprof.schema.avro.PerfPoint;

/**
 * A 1P1D composition of one prefill point with one decode point, as the picking modes rank it: its rates, its GPUs,
 * and what a mode decided (replicas, the tokens/s/GPU it ranks by, whether it meets the SLA). Immutable: a mode that
 * decides makes a new row.
 *
 * @param p            index of the prefill point in sweep order
 * @param d            index of the decode point in sweep order
 * @param ttftMs       the TTFT the mode uses (measured, or autoscale's corrected one)
 * @param latencyMs    TTFT + ITL x (OSL - 1)
 * @param seqPerS      requests/s of the unit: the slower of its prefill and decode, with Dynamo's efficiencies
 * @param n            GPUs of the unit
 * @param tokensPerGpu output tokens/s per GPU of the unit
 * @param replicas     units the mode deploys
 * @param cluster      the tokens/s/GPU the mode ranks by (over the budget, or rounded)
 * @param meets        true when the row meets the mode's constraint
 */
record PairRow(int p, int d, PerfPoint pp, PerfPoint dp, double ttftMs, double tpotMs, double latencyMs,
               double seqPerS, int n, double tokensPerGpu, int replicas, double cluster, boolean meets) {

    /** The unit of prefill point {@code pp} (index p) and decode point {@code dp} (index d), one replica. */
    static PairRow of(final int p, final int d, final PerfPoint pp, final PerfPoint dp, final double ttftMs,
                      final int osl) {
        final double tpot = dp.getLatencyMs();
        final double seq = Math.min(PickingModes.PREFILL_EFFICIENCY * PickingModes.prefillSeqPerS(pp),
            PickingModes.DECODE_EFFICIENCY * PickingModes.decodeSeqPerS(dp, osl));
        final int gpus = pp.getMapping().getGpus() + dp.getMapping().getGpus();
        return new PairRow(p, d, pp, dp, ttftMs, tpot, ttftMs + tpot * Math.max(osl - 1, 0), seq, gpus,
            seq * osl / gpus, 1, 0, false);
    }

    PairRow deployed(final int units, final double rankedBy) {
        return new PairRow(p, d, pp, dp, ttftMs, tpotMs, latencyMs, seqPerS, n, tokensPerGpu, units, rankedBy, meets);
    }

    PairRow judged(final boolean ok) {
        return new PairRow(p, d, pp, dp, ttftMs, tpotMs, latencyMs, seqPerS, n, tokensPerGpu, replicas, cluster, ok);
    }
}
