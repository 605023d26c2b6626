package dev.slaprof.domain.interp;

/**
 * Dynamo planner's {@code DecodeInterpolator} queries on a {@link DecodeGrid}: a query snaps to the nearest grid
 * node ({@code numpy.round}, half to even) with clamping, no bilinear blending; {@code findBestThroughputPerGpu}
 * scans the context row from full KV downwards and returns the first cell within the ITL target, else the values
 * at zero KV (which may violate it).
 */
public final class DecodeInterpolator {
    /** Result of {@link #findBestThroughputPerGpu}: tokens/s/GPU, its ITL (ms) and KV fraction. */
    public record Best(double thptPerGpu, double itlMs, double kvUsage) {
    }

    private final DecodeGrid grid;
    private final long maxKvTokens;

    public DecodeInterpolator(final DecodeGrid grid, final long maxKvTokens) {
        if (maxKvTokens <= 0) {
            throw new IllegalArgumentException("max_kv_tokens must be > 0, got " + maxKvTokens);
        }
        this.grid = grid;
        this.maxKvTokens = maxKvTokens;
    }

    private int ix(final double inFlight, final double context) {
        final double kv = inFlight * context / maxKvTokens;
        return snap((kv - grid.xi()[0]) / (grid.xi()[1] - grid.xi()[0]), grid.xi().length);
    }

    private int iy(final double context) {
        return snap((context - grid.yi()[0]) / (grid.yi()[1] - grid.yi()[0]), grid.yi().length);
    }

    private static int snap(final double v, final int n) {
        return (int) Math.max(0, Math.min(n - 1, Math.rint(v)));
    }

    /** ITL in ms at {@code inFlight} requests of average context {@code context} tokens. */
    public double interpolateItl(final double inFlight, final double context) {
        return grid.itl()[iy(context)][ix(inFlight, context)];
    }

    /** Decode tokens/s/GPU at {@code inFlight} requests of average context {@code context} tokens. */
    public double interpolateThptPerGpu(final double inFlight, final double context) {
        return grid.thpt()[iy(context)][ix(inFlight, context)];
    }

    /** Highest-KV cell of the context row whose ITL is within {@code itlMs}; the zero-KV cell when none is. */
    public Best findBestThroughputPerGpu(final double itlMs, final double context) {
        final int iy = iy(context);
        final int n = grid.xi().length;
        for (int ix = n - 1; ix >= 0; ix--) {
            if (grid.itl()[iy][ix] <= itlMs) {
                return new Best(grid.thpt()[iy][ix], grid.itl()[iy][ix], grid.xi()[ix]);
            }
        }
        return new Best(grid.thpt()[iy][0], grid.itl()[iy][0], grid.xi()[0]);
    }

    /** True when the cell a query lands on was filled from outside the data's hull. */
    public boolean extrapolated(final double inFlight, final double context) {
        return grid.extrapolated()[iy(context)][ix(inFlight, context)];
    }
}
