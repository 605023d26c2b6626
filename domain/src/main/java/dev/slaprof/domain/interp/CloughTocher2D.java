package dev.slaprof.domain.interp;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Clough-Tocher C1 cubic interpolant on a given triangulation, as scipy's
 * {@code CloughTocher2DInterpolator} (and so {@code griddata(method="cubic")}) defines it: vertex gradients from
 * the global estimate of Nielson (1983) and Renka (1984) — minimise, vertex by vertex in Gauss-Seidel sweeps, the
 * integral of the squared second derivative of the interpolant along every edge (at most 400 sweeps, stopping when
 * no gradient changes by more than 1e-6 relative) — then per triangle the Clough-Tocher split into three cubic
 * Bezier patches, with the cross-boundary derivative taken towards the neighbouring triangle's centroid (the
 * affine-invariant choice), or the centroid direction at the hull. Points outside the triangulation give NaN.
 * Written from those definitions; the triangulation is an input, so results can be compared with scipy's for the
 * same triangles.
 */
public final class CloughTocher2D {
    /** scipy's limits: tolerance of the gradient iteration and its sweep cap. */
    public static final double GRADIENT_TOLERANCE = 1e-6;
    public static final int GRADIENT_MAX_SWEEPS = 400;
    private static final double EPS = 100 * Math.ulp(1.0);

    private final double[] px;
    private final double[] py;
    private final int[][] simplices;
    private final int[][] neighbors;
    private final double[] values;
    private final double[] gradients;
    private final int sweeps;

    /**
     * @param x         point abscissae
     * @param y         point ordinates
     * @param values    values at the points
     * @param simplices triangles as vertex indices
     */
    public CloughTocher2D(final double[] x, final double[] y, final double[] values, final int[][] simplices) {
        this.px = x.clone();
        this.py = y.clone();
        this.simplices = simplices;
        this.neighbors = neighbors(simplices);
        this.values = values.clone();
        this.gradients = new double[2 * x.length];
        this.sweeps = estimateGradients(this.values, vertexNeighbors(x.length, simplices));
    }

    /** Gauss-Seidel sweeps the gradient estimate took (0 = it did not converge within the cap). */
    public int sweeps() {
        return sweeps;
    }

    /** Estimated gradient (d/dx, d/dy) at a point. */
    public double[] gradient(final int point) {
        return new double[] {gradients[2 * point], gradients[2 * point + 1]};
    }

    /** For each triangle, the neighbour opposite each of its vertices (-1 at the hull). */
    static int[][] neighbors(final int[][] simplices) {
        final Map<Long, int[]> edges = new HashMap<>();
        final int[][] out = new int[simplices.length][3];
        for (int t = 0; t < simplices.length; t++) {
            for (int k = 0; k < 3; k++) {
                out[t][k] = -1;
                final long key = edge(simplices[t][(k + 1) % 3], simplices[t][(k + 2) % 3]);
                final int[] other = edges.get(key);
                if (other == null) {
                    edges.put(key, new int[] {t, k});
                } else {
                    out[t][k] = other[0];
                    out[other[0]][other[1]] = t;
                }
            }
        }
        return out;
    }

    private static long edge(final int a, final int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }

    private static int[][] vertexNeighbors(final int n, final int[][] simplices) {
        final Set<Integer>[] sets = newSets(n);
        for (final int[] s : simplices) {
            for (int k = 0; k < 3; k++) {
                for (int j = 0; j < 3; j++) {
                    if (j != k) {
                        sets[s[k]].add(s[j]);
                    }
                }
            }
        }
        final int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = sets[i].stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<Integer>[] newSets(final int n) {
        final Set<Integer>[] sets = new Set[n];
        for (int i = 0; i < n; i++) {
            sets[i] = new LinkedHashSet<>();
        }
        return sets;
    }

    /**
     * Per vertex V, with the other vertices' gradients fixed, the edge functional is quadratic in V's gradient y:
     * for an edge of length L towards W, {@code L^3 int |w''|^2 = y'Ay + 2By + C} with A = [4 -2; -2 4] on the
     * edge-projected derivatives; summing over V's edges gives a 2 x 2 system Q r = s whose solution (negated) is
     * V's new gradient.
     */
    private int estimateGradients(final double[] data, final int[][] vertexNeighbors) {
        final int n = px.length;
        for (int sweep = 0; sweep < GRADIENT_MAX_SWEEPS; sweep++) {
            double err = 0;
            for (int ip = 0; ip < n; ip++) {
                double q0 = 0;
                double q1 = 0;
                double q3 = 0;
                double s0 = 0;
                double s1 = 0;
                for (final int ip2 : vertexNeighbors[ip]) {
                    final double ex = px[ip2] - px[ip];
                    final double ey = py[ip2] - py[ip];
                    final double l = Math.sqrt(ex * ex + ey * ey);
                    final double l3 = l * l * l;
                    final double f1 = data[ip];
                    final double f2 = data[ip2];
                    final double df2 = -ex * gradients[2 * ip2] - ey * gradients[2 * ip2 + 1];
                    q0 += 4 * ex * ex / l3;
                    q1 += 4 * ex * ey / l3;
                    q3 += 4 * ey * ey / l3;
                    s0 += (6 * (f1 - f2) - 2 * df2) * ex / l3;
                    s1 += (6 * (f1 - f2) - 2 * df2) * ey / l3;
                }
                final double q2 = q1;
                final double det = q0 * q3 - q1 * q2;
                final double r0 = (q3 * s0 - q1 * s1) / det;
                final double r1 = (-q2 * s0 + q0 * s1) / det;
                double change = Math.max(Math.abs(gradients[2 * ip] + r0), Math.abs(gradients[2 * ip + 1] + r1));
                gradients[2 * ip] = -r0;
                gradients[2 * ip + 1] = -r1;
                change /= Math.max(1.0, Math.max(Math.abs(r0), Math.abs(r1)));
                err = Math.max(err, change);
            }
            if (err < GRADIENT_TOLERANCE) {
                return sweep + 1;
            }
        }
        return 0;
    }

    /** Barycentric coordinates of (x, y) in triangle t, as scipy computes them (relative to the third vertex). */
    private void barycentric(final int t, final double x, final double y, final double[] c) {
        final int[] s = simplices[t];
        final double ax = px[s[0]] - px[s[2]];
        final double ay = py[s[0]] - py[s[2]];
        final double bx = px[s[1]] - px[s[2]];
        final double by = py[s[1]] - py[s[2]];
        final double det = ax * by - bx * ay;
        final double dx = x - px[s[2]];
        final double dy = y - py[s[2]];
        c[0] = (by * dx - bx * dy) / det;
        c[1] = (-ay * dx + ax * dy) / det;
        c[2] = 1 - c[0] - c[1];
    }

    /** The triangle containing (x, y) within scipy's tolerance, or -1. */
    public int find(final double x, final double y) {
        final double[] c = new double[3];
        int best = -1;
        double bestMin = -Double.MAX_VALUE;
        for (int t = 0; t < simplices.length; t++) {
            barycentric(t, x, y, c);
            final double min = Math.min(c[0], Math.min(c[1], c[2]));
            if (min >= -EPS) {
                return t;
            }
            if (min > bestMin) {
                bestMin = min;
                best = t;
            }
        }
        // Points a hair outside the hull (round-off on a hull edge) still belong to the nearest triangle.
        return bestMin >= -Math.sqrt(Math.ulp(1.0)) ? best : -1;
    }

    /** The interpolant at (x, y); NaN outside the triangulation. */
    public double value(final double x, final double y) {
        final int t = find(x, y);
        if (t < 0) {
            return Double.NaN;
        }
        final double[] b = new double[3];
        barycentric(t, x, y, b);
        return patch(t, b);
    }

    private double patch(final int t, final double[] b) {
        final int[] s = simplices[t];
        final double e12x = px[s[1]] - px[s[0]];
        final double e12y = py[s[1]] - py[s[0]];
        final double e23x = px[s[2]] - px[s[1]];
        final double e23y = py[s[2]] - py[s[1]];
        final double e31x = px[s[0]] - px[s[2]];
        final double e31y = py[s[0]] - py[s[2]];
        final double f1 = values[s[0]];
        final double f2 = values[s[1]];
        final double f3 = values[s[2]];
        final double df12 = gradients[2 * s[0]] * e12x + gradients[2 * s[0] + 1] * e12y;
        final double df21 = -(gradients[2 * s[1]] * e12x + gradients[2 * s[1] + 1] * e12y);
        final double df23 = gradients[2 * s[1]] * e23x + gradients[2 * s[1] + 1] * e23y;
        final double df32 = -(gradients[2 * s[2]] * e23x + gradients[2 * s[2] + 1] * e23y);
        final double df31 = gradients[2 * s[2]] * e31x + gradients[2 * s[2] + 1] * e31y;
        final double df13 = -(gradients[2 * s[0]] * e31x + gradients[2 * s[0] + 1] * e31y);

        final double c3000 = f1;
        final double c2100 = (df12 + 3 * c3000) / 3;
        final double c2010 = (df13 + 3 * c3000) / 3;
        final double c0300 = f2;
        final double c1200 = (df21 + 3 * c0300) / 3;
        final double c0210 = (df23 + 3 * c0300) / 3;
        final double c0030 = f3;
        final double c1020 = (df31 + 3 * c0030) / 3;
        final double c0120 = (df32 + 3 * c0030) / 3;
        final double c2001 = (c2100 + c2010 + c3000) / 3;
        final double c0201 = (c1200 + c0300 + c0210) / 3;
        final double c0021 = (c1020 + c0120 + c0030) / 3;

        // Cross-boundary derivative towards the neighbour's centroid, in this triangle's barycentric terms.
        final double[] g = new double[3];
        final double[] c = new double[3];
        for (int k = 0; k < 3; k++) {
            final int nt = neighbors[t][k];
            if (nt < 0) {
                g[k] = -0.5;
                continue;
            }
            final int[] ns = simplices[nt];
            final double cx = (px[ns[0]] + px[ns[1]] + px[ns[2]]) / 3;
            final double cy = (py[ns[0]] + py[ns[1]] + py[ns[2]]) / 3;
            barycentric(t, cx, cy, c);
            if (k == 0) {
                g[k] = (2 * c[2] + c[1] - 1) / (2 - 3 * c[2] - 3 * c[1]);
            } else if (k == 1) {
                g[k] = (2 * c[0] + c[2] - 1) / (2 - 3 * c[0] - 3 * c[2]);
            } else {
                g[k] = (2 * c[1] + c[0] - 1) / (2 - 3 * c[1] - 3 * c[0]);
            }
        }
        final double c0111 = (g[0] * (-c0300 + 3 * c0210 - 3 * c0120 + c0030)
            + (-c0300 + 2 * c0210 - c0120 + c0021 + c0201)) / 2;
        final double c1011 = (g[1] * (-c0030 + 3 * c1020 - 3 * c2010 + c3000)
            + (-c0030 + 2 * c1020 - c2010 + c2001 + c0021)) / 2;
        final double c1101 = (g[2] * (-c3000 + 3 * c2100 - 3 * c1200 + c0300)
            + (-c3000 + 2 * c2100 - c1200 + c2001 + c0201)) / 2;
        final double c1002 = (c1101 + c1011 + c2001) / 3;
        final double c0102 = (c1101 + c0111 + c0201) / 3;
        final double c0012 = (c1011 + c0111 + c0021) / 3;
        final double c0003 = (c1002 + c0102 + c0012) / 3;

        // Extended barycentric coordinates: the sub-triangle's point 4 is the centroid.
        final double minval = Math.min(b[0], Math.min(b[1], b[2]));
        final double b1 = b[0] - minval;
        final double b2 = b[1] - minval;
        final double b3 = b[2] - minval;
        final double b4 = 3 * minval;
        return b1 * b1 * b1 * c3000 + 3 * b1 * b1 * b2 * c2100 + 3 * b1 * b1 * b3 * c2010
            + 3 * b1 * b1 * b4 * c2001 + 3 * b1 * b2 * b2 * c1200
            + 6 * b1 * b2 * b4 * c1101 + 3 * b1 * b3 * b3 * c1020 + 6 * b1 * b3 * b4 * c1011
            + 3 * b1 * b4 * b4 * c1002 + b2 * b2 * b2 * c0300 + 3 * b2 * b2 * b3 * c0210
            + 3 * b2 * b2 * b4 * c0201 + 3 * b2 * b3 * b3 * c0120 + 6 * b2 * b3 * b4 * c0111
            + 3 * b2 * b4 * b4 * c0102 + b3 * b3 * b3 * c0030 + 3 * b3 * b3 * b4 * c0021
            + 3 * b3 * b4 * b4 * c0012 + b4 * b4 * b4 * c0003;
    }
}
