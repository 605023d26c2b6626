package dev.slaprof.domain.interp;

import dev.slaprof.schema.avro.PrefillTable;

/**
 * Dynamo planner's {@code PrefillInterpolator}: not-a-knot cubic splines of TTFT (ms) and thpt/GPU over ISL,
 * queries clamped to the measured ISL range. On Dynamo's aic_all data, ISL 3000 gives 287.660795 ms and
 * 10621.107719 tokens/s/GPU.
 */
public final class PrefillInterpolator {
    private final NotAKnotSpline ttft;
    private final NotAKnotSpline thpt;

    public PrefillInterpolator(final double[] isl, final double[] ttftMs, final double[] thptPerGpu) {
        this.ttft = new NotAKnotSpline(isl, ttftMs);
        this.thpt = new NotAKnotSpline(isl, thptPerGpu);
    }

    /** From a recommendation's prefill table; fails with the table's reason when it is incomplete. */
    public static PrefillInterpolator of(final PrefillTable t) {
        final int n = t.getPrefillIsl().size();
        if (n < NotAKnotSpline.MIN_POINTS) {
            throw new IllegalArgumentException("prefill table has " + n + " points: " + t.getReason());
        }
        final double[] isl = new double[n];
        final double[] ttft = new double[n];
        final double[] thpt = new double[n];
        for (int i = 0; i < n; i++) {
            isl[i] = t.getPrefillIsl().get(i);
            ttft[i] = t.getPrefillTtft().get(i);
            thpt[i] = t.getPrefillThptPerGpu().get(i);
        }
        return new PrefillInterpolator(isl, ttft, thpt);
    }

    /** The TTFT spline. */
    public NotAKnotSpline ttftSpline() {
        return ttft;
    }

    /** The thpt/GPU spline. */
    public NotAKnotSpline thptSpline() {
        return thpt;
    }

    /** TTFT in ms at an ISL (tokens), clamped to the measured range. */
    public double interpolateTtft(final double isl) {
        return ttft.valueClamped(isl);
    }

    /** Prefill tokens/s/GPU at an ISL, clamped to the measured range. */
    public double interpolateThptPerGpu(final double isl) {
        return thpt.valueClamped(isl);
    }
}
