package dev.slaprof.domain.interp;

import java.util.Random;

/**
 * Dynamo's decode grid (spec §8): {@code griddata(method="cubic")} on the raw, unscaled (x_kv_usage,
 * y_context_length) points — a Delaunay triangulation (JTS here, Qhull in scipy) and the Clough-Tocher interpolant
 * with scipy's gradient estimate ({@link CloughTocher2D}) — sampled on the 100 x 100 grid, cells outside the hull
 * filled from the nearest data point in raw units. Kept for compatibility and comparison; it is ill-conditioned on
 * typical tables (spec §14), so every build also measures its condition: the largest relative change of any ITL
 * cell when every input coordinate is multiplied by {@code 1 + 1e-9 N(0,1)} (3 seeded draws). Above 1 % the grid is
 * flagged ill-conditioned.
 */
public final class CloughTocherDecodeGrid {
    /** Relative coordinate noise of the condition probe. */
    public static final double PROBE_EPS = 1e-9;
    /** A grid whose cells move by more than this under the probe is flagged ill-conditioned. */
    public static final double ILL_CONDITIONED_ABOVE = 0.01;

    /**
     * The grid and its measured condition.
     *
     * @param grid           the Dynamo-compatible grid
     * @param condition      largest relative ITL cell change under the probe
     * @param illConditioned condition above {@link #ILL_CONDITIONED_ABOVE}
     */
    public record Result(DecodeGrid grid, double condition, boolean illConditioned) {
    }

    private CloughTocherDecodeGrid() {
    }

    /** Builds the grid and probes its condition. */
    public static Result build(final double[] x, final double[] y, final double[] itl, final double[] thpt,
                               final int resolution) {
        final DecodeGrid base = grid(x, y, itl, thpt, resolution);
        final Random random = new Random(17);
        double worst = 0;
        for (int draw = 0; draw < 3; draw++) {
            final double[] px = x.clone();
            final double[] py = y.clone();
            for (int i = 0; i < px.length; i++) {
                px[i] *= 1 + PROBE_EPS * random.nextGaussian();
                py[i] *= 1 + PROBE_EPS * random.nextGaussian();
            }
            final DecodeGrid g = grid(px, py, itl, thpt, resolution);
            for (int iy = 0; iy < resolution; iy++) {
                for (int ix = 0; ix < resolution; ix++) {
                    final double b = base.itl()[iy][ix];
                    worst = Math.max(worst, Math.abs(g.itl()[iy][ix] - b) / Math.max(Math.abs(b), 1e-12));
                }
            }
        }
        return new Result(base, worst, worst > ILL_CONDITIONED_ABOVE);
    }

    /** The grid alone (no condition probe). */
    public static DecodeGrid grid(final double[] x, final double[] y, final double[] itl, final double[] thpt,
                                  final int resolution) {
        if (x.length < 3) {
            throw new IllegalArgumentException("a decode grid needs at least 3 points, got " + x.length);
        }
        final int[][] tri = LinearDecodeGrid.triangulate(x, y, 1.0);
        final CloughTocher2D fi = new CloughTocher2D(x, y, itl, tri);
        final CloughTocher2D ft = new CloughTocher2D(x, y, thpt, tri);
        return DecodeGrid.sample(y, resolution, (qx, qy, out) -> {
            if (fi.find(qx, qy) >= 0) {
                out[0] = fi.value(qx, qy);
                out[1] = ft.value(qx, qy);
                return false;
            }
            final int n = DecodeGrid.nearest(x, y, 1.0, qx, qy);
            out[0] = itl[n];
            out[1] = thpt[n];
            return true;
        });
    }
}
