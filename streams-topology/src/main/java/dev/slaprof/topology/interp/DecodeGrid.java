package dev.slaprof.topology.interp;

/**
 * A decode surface sampled as Dynamo's planner samples it: {@code xi = linspace(0, 1, n)} (active-KV fraction),
 * {@code yi = linspace(0, maxY, n)} (context tokens), values indexed {@code [iy][ix]}, plus a flag per cell saying
 * whether it lies outside the convex hull of the data (filled, not interpolated).
 *
 * @param xi           KV-usage axis, 0..1
 * @param yi           context-length axis, tokens, from 0
 * @param itl          ITL in ms, [iy][ix]
 * @param thpt         tokens/s/GPU, [iy][ix]
 * @param extrapolated true where the cell lies outside the data's convex hull
 */
public record DecodeGrid(double[] xi, double[] yi, double[][] itl, double[][] thpt, boolean[][] extrapolated) {
    /** Dynamo's resolution. */
    public static final int RESOLUTION = 100;

    /** {@code linspace(start, stop, n)} as numpy computes it. */
    public static double[] linspace(final double start, final double stop, final int n) {
        final double[] out = new double[n];
        final double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        out[n - 1] = stop;
        return out;
    }
}
