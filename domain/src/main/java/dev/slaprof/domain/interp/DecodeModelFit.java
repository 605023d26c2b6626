package dev.slaprof.domain.interp;

import org.apache.commons.math3.exception.MathIllegalArgumentException;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/**
 * A physically motivated decode surface fitted by least squares (commons-math OLS): {@code ITL = a + b·K + c·n},
 * with {@code K = x·max_kv_tokens} the active KV tokens and {@code n = K / y} the batch. At fixed context ITL grows
 * near-linearly with active KV (memory traffic); the batch term carries the per-request compute that makes the
 * slope steeper at short contexts. Unlike a nearest-filled grid it extrapolates by a law, not by a neighbour row.
 *
 * @param a        intercept, ms (weights streaming + per-step overhead)
 * @param b        ms per active KV token
 * @param c        ms per in-flight request
 * @param rSquared coefficient of determination of the fit
 */
public record DecodeModelFit(double a, double b, double c, double rSquared) {

    /** Fits the model; needs at least 4 points spanning KV tokens and batch independently. */
    public static DecodeModelFit fit(final double[] x, final double[] y, final double[] itl, final long maxKvTokens) {
        if (x.length < 4) {
            throw new IllegalArgumentException("the decode model needs at least 4 points, got " + x.length);
        }
        final double[][] features = new double[x.length][2];
        for (int i = 0; i < x.length; i++) {
            final double kv = x[i] * maxKvTokens;
            features[i][0] = kv;
            features[i][1] = kv / y[i];
        }
        final OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        try {
            ols.newSampleData(itl.clone(), features);
            final double[] beta = ols.estimateRegressionParameters();
            return new DecodeModelFit(beta[0], beta[1], beta[2], ols.calculateRSquared());
        } catch (final MathIllegalArgumentException e) {
            throw new IllegalArgumentException("decode points do not determine the model: " + e.getMessage(), e);
        }
    }

    /** Predicted ITL in ms at {@code inFlight} requests of average context {@code context} tokens. */
    public double itl(final double inFlight, final double context) {
        return a + b * inFlight * context + c * inFlight;
    }
}
