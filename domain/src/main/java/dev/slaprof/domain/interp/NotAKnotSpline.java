package dev.slaprof.domain.interp;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;

/**
 * The interpolating cubic spline with not-a-knot end conditions (C2, and the third derivative continuous at the
 * second and second-to-last knots): what scipy's {@code interp1d(kind="cubic")} and
 * {@code CubicSpline(bc_type="not-a-knot")} build. Written from the definition: the knot slopes {@code s} solve a
 * tridiagonal system (interior rows from C2 continuity, first and last rows from not-a-knot), then each interval
 * is the Hermite cubic of its end values and slopes. Needs at least 4 strictly increasing knots, as Dynamo's
 * planner does. Immutable.
 */
public final class NotAKnotSpline {
    /** Fewest knots the planner accepts (interp1d cubic raises below this). */
    public static final int MIN_POINTS = 4;

    private final double[] x;
    private final double[] y;
    private final double[] c1;
    private final double[] c2;
    private final double[] c3;

    /**
     * @param xs knots; sorted here, duplicates rejected
     * @param ys values at the knots
     */
    public NotAKnotSpline(final double[] xs, final double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("x and y differ in length: " + xs.length + " vs " + ys.length);
        }
        if (xs.length < MIN_POINTS) {
            throw new IllegalArgumentException("a cubic spline needs at least " + MIN_POINTS + " points, got "
                + xs.length);
        }
        final Integer[] order = new Integer[xs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(xs[a], xs[b]));
        final int n = xs.length;
        x = new double[n];
        y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = xs[order[i]];
            y[i] = ys[order[i]];
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                throw new IllegalArgumentException("non-finite point (" + x[i] + ", " + y[i] + ")");
            }
            if (i > 0 && x[i] == x[i - 1]) {
                throw new IllegalArgumentException("duplicate x " + x[i]);
            }
        }
        final double[] s = slopes();
        c1 = s;
        c2 = new double[n - 1];
        c3 = new double[n - 1];
        for (int i = 0; i < n - 1; i++) {
            final double h = x[i + 1] - x[i];
            final double m = (y[i + 1] - y[i]) / h;
            // Hermite cubic on [x_i, x_i+1]: y_i + s_i t + c2 t^2 + c3 t^3.
            c2[i] = (3 * m - 2 * s[i] - s[i + 1]) / h;
            c3[i] = (s[i] + s[i + 1] - 2 * m) / (h * h);
        }
    }

    private double[] slopes() {
        final int n = x.length;
        final double[] h = new double[n - 1];
        final double[] m = new double[n - 1];
        for (int i = 0; i < n - 1; i++) {
            h[i] = x[i + 1] - x[i];
            m[i] = (y[i + 1] - y[i]) / h[i];
        }
        final RealMatrix a = new Array2DRowRealMatrix(n, n);
        final RealVector b = new ArrayRealVector(n);
        // Interior rows: continuity of the second derivative at each inner knot.
        for (int i = 1; i < n - 1; i++) {
            a.setEntry(i, i - 1, h[i]);
            a.setEntry(i, i, 2 * (h[i - 1] + h[i]));
            a.setEntry(i, i + 1, h[i - 1]);
            b.setEntry(i, 3 * (h[i] * m[i - 1] + h[i - 1] * m[i]));
        }
        // Not-a-knot at x_1: the first two intervals share one cubic.
        final double d0 = h[0] + h[1];
        a.setEntry(0, 0, h[1]);
        a.setEntry(0, 1, d0);
        b.setEntry(0, ((h[0] + 2 * d0) * h[1] * m[0] + h[0] * h[0] * m[1]) / d0);
        // Not-a-knot at x_n-2: the last two intervals share one cubic.
        final double dn = h[n - 2] + h[n - 3];
        a.setEntry(n - 1, n - 2, dn);
        a.setEntry(n - 1, n - 1, h[n - 3]);
        b.setEntry(n - 1, (h[n - 2] * h[n - 2] * m[n - 3] + (2 * dn + h[n - 2]) * h[n - 3] * m[n - 2]) / dn);
        return new LUDecomposition(a).getSolver().solve(b).toArray();
    }

    /**
     * The piecewise form: rows knots, c0, c1, c2, c3; on interval i the value at q is
     * {@code c0[i] + t (c1[i] + t (c2[i] + t c3[i]))}, {@code t = q - knots[i]}.
     */
    public double[][] coefficients() {
        final int m = x.length - 1;
        return new double[][] {x.clone(), Arrays.copyOf(y, m), Arrays.copyOf(c1, m), Arrays.copyOf(c2, m),
            Arrays.copyOf(c3, m)};
    }

    /** Value at {@code q}, clamped to the knot range (the planner never extrapolates). */
    public double valueClamped(final double q) {
        return value(Math.max(x[0], Math.min(x[x.length - 1], q)));
    }

    /** Value at {@code q} inside [first knot, last knot]. */
    public double value(final double q) {
        if (Double.isNaN(q) || q < x[0] || q > x[x.length - 1]) {
            throw new IllegalArgumentException("x " + q + " outside [" + x[0] + ", " + x[x.length - 1] + "]");
        }
        int i = Arrays.binarySearch(x, q);
        if (i >= 0) {
            return y[i];
        }
        i = Math.min(-i - 2, x.length - 2);
        final double t = q - x[i];
        return y[i] + t * (c1[i] + t * (c2[i] + t * c3[i]));
    }

    /** Smallest knot. */
    public double min() {
        return x[0];
    }

    /** Largest knot. */
    public double max() {
        return x[x.length - 1];
    }
}
