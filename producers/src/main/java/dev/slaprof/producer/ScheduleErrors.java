package dev.slaprof.producer;

import dev.slaprof.schema.avro.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How far measurements over a real clock stray from the engine's own schedule of the same requests: per measured
 * request, the relative error of the figure its role is judged on (TTFT for prefill, ITL for decode), when the
 * engine reported its schedule. Thread-safe.
 */
public final class ScheduleErrors {
    private final List<Double> ttft = new ArrayList<>();
    private final List<Double> itl = new ArrayList<>();
    private long unscheduled;

    /** Records one measured request of an engine in {@code role}. */
    public synchronized void add(final Role role, final Measurement m) {
        if (!m.ok()) {
            return;
        }
        final double e = role == Role.DECODE ? m.itlError() : m.ttftError();
        if (Double.isNaN(e)) {
            unscheduled++;
        } else if (role == Role.DECODE) {
            itl.add(e);
        } else {
            ttft.add(e);
        }
    }

    /** Requests with a schedule to compare with. */
    public synchronized int count() {
        return ttft.size() + itl.size();
    }

    /** Median and 95th percentile of |error| over all requests, fractions; NaN when there are none. */
    public synchronized double[] medianAndP95() {
        final List<Double> all = new ArrayList<>(ttft);
        all.addAll(itl);
        return quantiles(all);
    }

    private static double[] quantiles(final List<Double> errors) {
        if (errors.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        final double[] a = new double[errors.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(errors.get(i));
        }
        Arrays.sort(a);
        return new double[] {rank(a, 0.50), rank(a, 0.95)};
    }

    /** Nearest-rank quantile of sorted values. */
    private static double rank(final double[] sorted, final double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** One line for the run's output: median and p95 of |error| in all, and per figure. */
    public synchronized String summary() {
        final double[] all = medianAndP95();
        final double[] t = quantiles(ttft);
        final double[] i = quantiles(itl);
        return String.format(Locale.ROOT, "measurement error against the engines' own schedule: median %.2f %%, "
            + "p95 %.2f %% over %d requests (prefill TTFT: median %.2f %%, p95 %.2f %%, n=%d; decode ITL: median "
            + "%.2f %%, p95 %.2f %%, n=%d)%s", 100 * all[0], 100 * all[1], count(), 100 * t[0], 100 * t[1],
            ttft.size(), 100 * i[0], 100 * i[1], itl.size(),
            unscheduled > 0 ? "; " + unscheduled + " requests without a schedule" : "");
    }
}
