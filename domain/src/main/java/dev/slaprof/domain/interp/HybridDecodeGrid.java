package dev.slaprof.domain.interp;

/**
 * slaprof's default decode ITL grid: the physical model ({@link DecodeModelFit}) plus its residuals interpolated
 * along and across context rows ({@link RowDecodeGrid}). It passes through every data point (the residual there is
 * exact), follows the model's law where there is no data instead of holding a neighbour's value, is clamped to the
 * range of the data, and has no triangulation to flip (stable). Throughput cells come from the row interpolation.
 * Falls back to pure row interpolation when the model cannot be fitted (fewer than 4 points, degenerate design).
 */
public final class HybridDecodeGrid {
    private HybridDecodeGrid() {
    }

    /** Builds the grid (see class doc); needs points on at least two context rows. */
    public static DecodeGrid build(final double[] x, final double[] y, final double[] itl, final double[] thpt,
                                   final long maxKvTokens, final int resolution) {
        final DecodeGrid rows = RowDecodeGrid.build(x, y, itl, thpt, resolution);
        final DecodeModelFit fit = tryFit(x, y, itl, maxKvTokens);
        if (fit == null) {
            return rows;
        }
        final double[] residual = residuals(fit, x, y, itl, maxKvTokens);
        final DecodeGrid res = RowDecodeGrid.build(x, y, residual, residual, resolution);
        final double lo = min(itl);
        final double hi = max(itl);
        final int n = resolution;
        final double[][] out = new double[n][n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                final double inFlight = rows.yi()[iy] > 0 ? rows.xi()[ix] * maxKvTokens / rows.yi()[iy] : 0;
                final double v = fit.itl(inFlight, rows.yi()[iy]) + res.itl()[iy][ix];
                out[iy][ix] = Math.max(lo, Math.min(hi, v));
            }
        }
        return new DecodeGrid(rows.xi(), rows.yi(), out, rows.thpt(), rows.extrapolated());
    }

    /** ITL at one point by the same construction; out-of-data points follow the model (clamped to the data range). */
    public static double itl(final double[] x, final double[] y, final double[] itl, final long maxKvTokens,
                             final double qx, final double qy) {
        final double[] out = new double[2];
        final DecodeModelFit fit = tryFit(x, y, itl, maxKvTokens);
        if (fit == null) {
            RowDecodeGrid.value(x, y, itl, itl, qx, qy, out);
            return out[0];
        }
        final double[] residual = residuals(fit, x, y, itl, maxKvTokens);
        RowDecodeGrid.value(x, y, residual, residual, qx, qy, out);
        final double v = fit.itl(qy > 0 ? qx * maxKvTokens / qy : 0, qy) + out[0];
        return Math.max(min(itl), Math.min(max(itl), v));
    }

    private static DecodeModelFit tryFit(final double[] x, final double[] y, final double[] itl,
                                         final long maxKvTokens) {
        try {
            return DecodeModelFit.fit(x, y, itl, maxKvTokens);
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }

    private static double[] residuals(final DecodeModelFit fit, final double[] x, final double[] y,
                                      final double[] itl, final long maxKvTokens) {
        final double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = itl[i] - fit.itl(x[i] * maxKvTokens / y[i], y[i]);
        }
        return r;
    }

    private static double min(final double[] v) {
        double m = Double.MAX_VALUE;
        for (final double d : v) {
            m = Math.min(m, d);
        }
        return m;
    }

    private static double max(final double[] v) {
        double m = -Double.MAX_VALUE;
        for (final double d : v) {
            m = Math.max(m, d);
        }
        return m;
    }
}
