package dev.slaprof.domain.recommend;

/** GPU hours per 1000 requests of a prefill/decode pair (Dynamo's web UI cost table). */
public final class CostTable {
    private CostTable() {
    }

    /**
     * {@code ISL·1000/p_thpt/3600 + OSL·1000/d_thpt/3600}, rounded to 4 decimals. ISL 2048, OSL 256, p_thpt 10000,
     * d_thpt 1000 gives 0.056889 + 0.071111 = 0.1280.
     */
    public static double gpuHoursPer1000(final int isl, final int osl, final double prefillThptPerGpu,
                                         final double decodeThptPerGpu) {
        if (prefillThptPerGpu <= 0 || decodeThptPerGpu <= 0) {
            throw new IllegalArgumentException("throughputs must be > 0: " + prefillThptPerGpu + ", "
                + decodeThptPerGpu);
        }
        final double h = isl * 1000.0 / prefillThptPerGpu / 3600 + osl * 1000.0 / decodeThptPerGpu / 3600;
        return Math.round(h * 10_000) / 10_000.0;
    }

    /** Tokens per second per user at an ITL in ms: 1000 / ITL. */
    public static double tokensPerUser(final double itlMs) {
        return 1000.0 / itlMs;
    }
}
