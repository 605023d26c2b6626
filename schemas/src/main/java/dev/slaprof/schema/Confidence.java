package dev.slaprof.schema;

/** The one 95 % confidence half-width every part uses: the normal quantile times the standard error of a mean. */
public final class Confidence {
    /** The two-sided 95 % quantile of the standard normal distribution. */
    public static final double Z95 = 1.959964;

    private Confidence() {
    }

    /** The 95 % half-width of a mean of {@code n} values with standard deviation {@code sd}; infinite below 2. */
    public static double halfWidth95(final double sd, final long n) {
        return n < 2 ? Double.POSITIVE_INFINITY : Z95 * sd / Math.sqrt(n);
    }
}
