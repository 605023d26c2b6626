package dev.slaprof.domain.recommend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Dynamo's {@code compute_pareto(x, y)}: minimise x (latency), maximise y (throughput). Non-finite points are
 * dropped; a stable sort by (x ascending, y descending); a point is kept iff its y is strictly greater than every
 * kept y, so duplicates and same-x lower-y points go. Returns original indices in ascending x.
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    /** Indices of the front; x=[NaN,10,20], y=[100,NaN,200] gives [2]. */
    public static List<Integer> compute(final double[] x, final double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x and y differ in length: " + x.length + " vs " + y.length);
        }
        final List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                idx.add(i);
            }
        }
        idx.sort(Comparator.<Integer>comparingDouble(i -> x[i]).thenComparing(i -> -y[i]));
        final List<Integer> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (final int i : idx) {
            if (y[i] > best) {
                front.add(i);
                best = y[i];
            }
        }
        return front;
    }
}
