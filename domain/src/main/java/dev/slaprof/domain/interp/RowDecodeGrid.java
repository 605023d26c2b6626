package dev.slaprof.domain.interp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * slaprof's default decode grid: interpolation along each context row, then across rows. Decode points come in
 * rows of one context length (Dynamo's sweep: one row per ISL; live buckets likewise), so points whose contexts
 * agree within {@link #ROW_TOLERANCE} form a row; a query is interpolated linearly in KV usage within the two rows
 * that bracket its context, then linearly between them. Every cell is a convex combination of data values (no
 * overshoot) and there is no triangulation whose flips could move it (stable). Beyond a row's KV range or the
 * outer rows, the row's end value is held and the cell is flagged as extrapolated.
 */
public final class RowDecodeGrid {
    /** Relative context difference below which two points share a row. */
    public static final double ROW_TOLERANCE = 0.005;

    private record Row(double y, double[] x, double[] itl, double[] thpt) {
    }

    private RowDecodeGrid() {
    }

    /** Builds the grid; needs points on at least two context rows. */
    public static DecodeGrid build(final double[] x, final double[] y, final double[] itl, final double[] thpt,
                                   final int resolution) {
        if (x.length != y.length || x.length != itl.length || x.length != thpt.length) {
            throw new IllegalArgumentException("decode arrays differ in length");
        }
        final List<Row> rows = rows(x, y, itl, thpt);
        if (rows.size() < 2) {
            throw new IllegalArgumentException("all decode points lie on one line (one context length); "
                + "a surface needs at least two context rows");
        }
        return DecodeGrid.sample(y, resolution, (qx, qy, out) -> evaluate(rows, qx, qy, out));
    }

    /**
     * The surface at one point: ITL into out[0], thpt into out[1].
     *
     * @return true when the point lies beyond the data (held end values)
     */
    public static boolean value(final double[] x, final double[] y, final double[] itl, final double[] thpt,
                                final double qx, final double qy, final double[] out) {
        final List<Row> rows = rows(x, y, itl, thpt);
        if (rows.size() < 2) {
            throw new IllegalArgumentException("a surface needs at least two context rows");
        }
        return evaluate(rows, qx, qy, out);
    }

    private static boolean evaluate(final List<Row> rows, final double qx, final double qy, final double[] out) {
        int b = 0;
        while (b < rows.size() - 1 && rows.get(b).y() < qy) {
            b++;
        }
        final int a = Math.max(0, rows.get(b).y() >= qy ? b - 1 : b);
        final Row ra = rows.get(a);
        final Row rb = rows.get(b);
        final boolean outsideY = qy < rows.get(0).y() || qy > rows.get(rows.size() - 1).y();
        final double w = rb.y() == ra.y() ? 0 : Math.max(0, Math.min(1, (qy - ra.y()) / (rb.y() - ra.y())));
        final boolean clampA = along(ra, qx, out);
        final double ia = out[0];
        final double ta = out[1];
        final boolean clampB = along(rb, qx, out);
        out[0] = (1 - w) * ia + w * out[0];
        out[1] = (1 - w) * ta + w * out[1];
        return outsideY || (w < 1 && clampA) || (w > 0 && clampB);
    }

    private static List<Row> rows(final double[] x, final double[] y, final double[] itl, final double[] thpt) {
        final Integer[] order = new Integer[x.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> y[i]));
        final List<Row> rows = new ArrayList<>();
        int start = 0;
        for (int k = 1; k <= order.length; k++) {
            if (k == order.length || y[order[k]] - y[order[start]] > ROW_TOLERANCE * Math.abs(y[order[start]])) {
                rows.add(row(order, start, k, x, y, itl, thpt));
                start = k;
            }
        }
        return rows;
    }

    private static Row row(final Integer[] order, final int from, final int to, final double[] x, final double[] y,
                           final double[] itl, final double[] thpt) {
        final Integer[] idx = Arrays.copyOfRange(order, from, to);
        Arrays.sort(idx, Comparator.comparingDouble(i -> x[i]));
        final int n = idx.length;
        final double[] rx = new double[n];
        final double[] ri = new double[n];
        final double[] rt = new double[n];
        double meanY = 0;
        for (int k = 0; k < n; k++) {
            rx[k] = x[idx[k]];
            ri[k] = itl[idx[k]];
            rt[k] = thpt[idx[k]];
            meanY += y[idx[k]] / n;
        }
        return new Row(meanY, rx, ri, rt);
    }

    /** Linear interpolation along a row into out[0] (ITL), out[1] (thpt); true when clamped at an end. */
    private static boolean along(final Row r, final double q, final double[] out) {
        final double[] x = r.x();
        if (q <= x[0] || x.length == 1) {
            out[0] = r.itl()[0];
            out[1] = r.thpt()[0];
            return q < x[0] || (x.length == 1 && q != x[0]);
        }
        if (q >= x[x.length - 1]) {
            out[0] = r.itl()[x.length - 1];
            out[1] = r.thpt()[x.length - 1];
            return q > x[x.length - 1];
        }
        int k = 1;
        while (x[k] < q) {
            k++;
        }
        final double f = (q - x[k - 1]) / (x[k] - x[k - 1]);
        out[0] = r.itl()[k - 1] + f * (r.itl()[k] - r.itl()[k - 1]);
        out[1] = r.thpt()[k - 1] + f * (r.thpt()[k] - r.thpt()[k - 1]);
        return false;
    }
}
