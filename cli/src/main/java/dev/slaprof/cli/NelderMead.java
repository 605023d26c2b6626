package dev.slaprof.cli;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.ToDoubleFunction;

/**
 * Nelder-Mead downhill simplex (reflection 1, expansion 2, contraction 1/2, shrink 1/2), unconstrained: the caller
 * maps bounded parameters through exp and min. Stops after {@code maxIter} iterations or when the simplex's values
 * span less than {@code tol}.
 */
final class NelderMead {
    private NelderMead() {
    }

    static double[] minimize(final ToDoubleFunction<double[]> f, final double[] x0, final double step,
                             final int maxIter, final double tol) {
        final int n = x0.length;
        final double[][] s = new double[n + 1][];
        final double[] v = new double[n + 1];
        s[0] = x0.clone();
        for (int i = 0; i < n; i++) {
            s[i + 1] = x0.clone();
            s[i + 1][i] += step;
        }
        for (int i = 0; i <= n; i++) {
            v[i] = f.applyAsDouble(s[i]);
        }
        final Integer[] order = new Integer[n + 1];
        for (int iter = 0; iter < maxIter; iter++) {
            for (int i = 0; i <= n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
            final int best = order[0];
            final int worst = order[n];
            final int second = order[n - 1];
            if (Math.abs(v[worst] - v[best]) < tol) {
                break;
            }
            final double[] c = new double[n];
            for (int i = 0; i <= n; i++) {
                if (i != worst) {
                    for (int j = 0; j < n; j++) {
                        c[j] += s[i][j] / n;
                    }
                }
            }
            final double[] r = along(c, s[worst], -1);
            final double fr = f.applyAsDouble(r);
            if (fr < v[best]) {
                final double[] e = along(c, s[worst], -2);
                final double fe = f.applyAsDouble(e);
                if (fe < fr) {
                    s[worst] = e;
                    v[worst] = fe;
                } else {
                    s[worst] = r;
                    v[worst] = fr;
                }
            } else if (fr < v[second]) {
                s[worst] = r;
                v[worst] = fr;
            } else {
                final double[] k = fr < v[worst] ? along(c, r, 0.5) : along(c, s[worst], 0.5);
                final double fk = f.applyAsDouble(k);
                if (fk < Math.min(fr, v[worst])) {
                    s[worst] = k;
                    v[worst] = fk;
                } else {
                    for (int i = 0; i <= n; i++) {
                        if (i != best) {
                            s[i] = along(s[best], s[i], 0.5);
                            v[i] = f.applyAsDouble(s[i]);
                        }
                    }
                }
            }
        }
        int best = 0;
        for (int i = 1; i <= n; i++) {
            if (v[i] < v[best]) {
                best = i;
            }
        }
        return s[best];
    }

    /** {@code c + t (p - c)}. */
    private static double[] along(final double[] c, final double[] p, final double t) {
        final double[] out = new double[c.length];
        for (int j = 0; j < c.length; j++) {
            out[j] = c[j] + t * (p[j] - c[j]);
        }
        return out;
    }
}
