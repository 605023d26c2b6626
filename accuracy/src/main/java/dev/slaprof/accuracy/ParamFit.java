package dev.slaprof.accuracy;

import dev.slaprof.simulator.PerfParams;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Fits the fitted constants of {@link PerfParams} by minimising a loss with commons-math's Nelder-Mead simplex.
 * The search runs unconstrained on transformed coordinates: shares (efficiencies, overlap) through a logistic, so
 * they stay in (0, 1); times and token counts through exp, so they stay positive.
 */
public final class ParamFit {
    /** Which of {@link PerfParams#fitted()} are shares in (0, 1); the others are positive. */
    private static final boolean[] SHARE = {true, false, true, true, true, false, false, false, false, false, false};

    private ParamFit() {
    }

    static double toUnbounded(final int i, final double v) {
        if (SHARE[i]) {
            final double p = Math.min(1 - 1e-6, Math.max(1e-6, v));
            return Math.log(p / (1 - p));
        }
        return Math.log(Math.max(1e-9, v));
    }

    static double toBounded(final int i, final double x) {
        // A logistic rounds to exactly 1 for large x in doubles: a share stays strictly inside (0, 1).
        return SHARE[i] ? Math.min(1 - 1e-9, Math.max(1e-9, 1 / (1 + Math.exp(-x)))) : Math.exp(x);
    }

    /**
     * The constants minimising {@code loss}, starting at {@code start}, moving only those {@code free} marks.
     *
     * @param maxEval loss evaluations at most
     */
    public static PerfParams fit(final PerfParams start, final boolean[] free, final ToDoubleFunction<PerfParams> loss,
                                 final int maxEval) {
        final double[] all = start.fitted();
        int n = 0;
        for (final boolean f : free) {
            n += f ? 1 : 0;
        }
        if (n == 0) {
            return start;
        }
        final int[] index = new int[n];
        final double[] x0 = new double[n];
        for (int i = 0, k = 0; i < all.length; i++) {
            if (free[i]) {
                index[k] = i;
                x0[k++] = toUnbounded(i, all[i]);
            }
        }
        // The simplex stops with an exception at its evaluation budget; the best point seen is kept here for that.
        final double[] bestX = x0.clone();
        final double[] bestValue = {Double.POSITIVE_INFINITY};
        final ToDoubleFunction<double[]> f = x -> {
            final double v = loss.applyAsDouble(start.withFitted(expand(all, index, x)));
            if (v < bestValue[0]) {
                bestValue[0] = v;
                System.arraycopy(x, 0, bestX, 0, x.length);
            }
            return v;
        };
        final SimplexOptimizer optimizer = new SimplexOptimizer(1e-7, 1e-9);
        try {
            final PointValuePair best = optimizer.optimize(new MaxEval(maxEval), new MaxIter(maxEval),
                new ObjectiveFunction(f::applyAsDouble), GoalType.MINIMIZE, new InitialGuess(x0),
                new NelderMeadSimplex(n, 0.3));
            return start.withFitted(expand(all, index, best.getPoint()));
        } catch (final TooManyEvaluationsException | TooManyIterationsException e) {
            return start.withFitted(expand(all, index, bestX));
        }
    }

    /** Every constant free. */
    public static boolean[] allFree() {
        final boolean[] b = new boolean[PerfParams.FITTED.length];
        Arrays.fill(b, true);
        return b;
    }

    private static double[] expand(final double[] all, final int[] index, final double[] x) {
        final double[] v = all.clone();
        for (int k = 0; k < index.length; k++) {
            v[index[k]] = toBounded(index[k], x[k]);
        }
        return v;
    }
}
