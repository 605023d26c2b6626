package dev.slaprof.domain.interp;

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

    /** A surface at one node: ITL into {@code out[0]}, thpt into {@code out[1]}; true when the node is extrapolated. */
    @FunctionalInterface
    public interface Surface {
        boolean at(double qx, double qy, double[] out);
    }

    /** Samples a surface on the planner's grid: {@code linspace(0, 1, n)} by {@code linspace(0, max y, n)}. */
    public static DecodeGrid sample(final double[] y, final int resolution, final Surface surface) {
        double maxY = 0;
        for (final double v : y) {
            maxY = Math.max(maxY, v);
        }
        final double[] xi = linspace(0, 1, resolution);
        final double[] yi = linspace(0, maxY, resolution);
        final double[][] gi = new double[resolution][resolution];
        final double[][] gt = new double[resolution][resolution];
        final boolean[][] ext = new boolean[resolution][resolution];
        final double[] out = new double[2];
        for (int iy = 0; iy < resolution; iy++) {
            for (int ix = 0; ix < resolution; ix++) {
                ext[iy][ix] = surface.at(xi[ix], yi[iy], out);
                gi[iy][ix] = out[0];
                gt[iy][ix] = out[1];
            }
        }
        return new DecodeGrid(xi, yi, gi, gt, ext);
    }

    /** Index of the data point nearest to (qx, qy), distances taken with y divided by {@code yScale}. */
    static int nearest(final double[] x, final double[] y, final double yScale, final double qx, final double qy) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int i = 0; i < x.length; i++) {
            final double dx = x[i] - qx;
            final double dy = (y[i] - qy) / yScale;
            final double d = dx * dx + dy * dy;
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return best;
    }
}
