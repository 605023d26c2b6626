package dev.slaprof.domain.interp;

import java.util.ArrayList;
import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.triangulate.DelaunayTriangulationBuilder;

/**
 * slaprof's default decode grid: piecewise-linear interpolation on a Delaunay triangulation (JTS) of the points
 * in normalised coordinates ({@code x}, {@code y / max y}), cells outside the hull filled from the nearest data
 * point in the same normalised metric. Every cell is a convex combination of data values, so it never overshoots,
 * and the well-shaped triangles of the normalised plane keep it stable where Dynamo's raw-coordinate Clough-Tocher
 * grid is not (spec §14).
 */
public final class LinearDecodeGrid {
    private LinearDecodeGrid() {
    }

    /**
     * Builds the grid.
     *
     * @throws IllegalArgumentException with fewer than 3 points, or when all points are collinear
     */
    public static DecodeGrid build(final double[] x, final double[] y, final double[] itl, final double[] thpt,
                                   final int resolution) {
        if (x.length != y.length || x.length != itl.length || x.length != thpt.length) {
            throw new IllegalArgumentException("decode arrays differ in length");
        }
        if (x.length < 3) {
            throw new IllegalArgumentException("a decode grid needs at least 3 points, got " + x.length);
        }
        double maxY = 0;
        for (final double v : y) {
            maxY = Math.max(maxY, v);
        }
        final double scale = maxY > 0 ? maxY : 1;
        final double[][] tri = triangleRows(x, y, scale);
        return DecodeGrid.sample(y, resolution, (qx, qy, out) -> {
            if (interpolate(tri, qx, qy / scale, itl, thpt, out)) {
                return false;
            }
            final int n = DecodeGrid.nearest(x, y, scale, qx, qy);
            out[0] = itl[n];
            out[1] = thpt[n];
            return true;
        });
    }

    /**
     * The Delaunay triangulation (JTS) of the points with y divided by {@code scale}, as vertex-index triples.
     *
     * @throws IllegalArgumentException when all points lie on one line
     */
    static int[][] triangulate(final double[] x, final double[] y, final double scale) {
        final double[][] rows = triangleRows(x, y, scale);
        final int[][] out = new int[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            out[t] = new int[] {(int) rows[t][6], (int) rows[t][7], (int) rows[t][8]};
        }
        return out;
    }

    /** The triangulation as rows {x0, y0, x1, y1, x2, y2, i0, i1, i2}, y divided by {@code scale}. */
    private static double[][] triangleRows(final double[] x, final double[] y, final double scale) {
        final List<Coordinate> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            pts.add(new Coordinate(x[i], y[i] / scale, i));
        }
        final DelaunayTriangulationBuilder b = new DelaunayTriangulationBuilder();
        b.setSites(pts);
        final Geometry tris = b.getTriangles(new GeometryFactory());
        if (tris.getNumGeometries() == 0) {
            throw new IllegalArgumentException("all decode points lie on one line; no triangulation");
        }
        return triangles(tris, x, y, scale);
    }

    /** Triangles as rows {x0, y0, x1, y1, x2, y2, i0, i1, i2} in normalised coordinates. */
    private static double[][] triangles(final Geometry tris, final double[] x, final double[] y, final double scale) {
        final double[][] out = new double[tris.getNumGeometries()][];
        for (int t = 0; t < out.length; t++) {
            final Coordinate[] c = ((Polygon) tris.getGeometryN(t)).getExteriorRing().getCoordinates();
            final double[] row = new double[9];
            for (int k = 0; k < 3; k++) {
                row[2 * k] = c[k].x;
                row[2 * k + 1] = c[k].y;
                row[6 + k] = index(c[k], x, y, scale);
            }
            out[t] = row;
        }
        return out;
    }

    private static int index(final Coordinate c, final double[] x, final double[] y, final double scale) {
        if (!Double.isNaN(c.getZ())) {
            return (int) c.getZ();
        }
        return DecodeGrid.nearest(x, y, scale, c.x, c.y * scale);
    }

    /** Barycentric interpolation in the containing triangle; false when no triangle contains the point. */
    private static boolean interpolate(final double[][] tri, final double qx, final double qy, final double[] itl,
                                       final double[] thpt, final double[] out) {
        final double eps = 1e-12;
        for (final double[] t : tri) {
            final double det = (t[3] - t[5]) * (t[0] - t[4]) + (t[4] - t[2]) * (t[1] - t[5]);
            if (det == 0) {
                continue;
            }
            final double l0 = ((t[3] - t[5]) * (qx - t[4]) + (t[4] - t[2]) * (qy - t[5])) / det;
            final double l1 = ((t[5] - t[1]) * (qx - t[4]) + (t[0] - t[4]) * (qy - t[5])) / det;
            final double l2 = 1 - l0 - l1;
            if (l0 >= -eps && l1 >= -eps && l2 >= -eps) {
                final int a = (int) t[6];
                final int b = (int) t[7];
                final int c = (int) t[8];
                out[0] = l0 * itl[a] + l1 * itl[b] + l2 * itl[c];
                out[1] = l0 * thpt[a] + l1 * thpt[b] + l2 * thpt[c];
                return true;
            }
        }
        return false;
    }
}
