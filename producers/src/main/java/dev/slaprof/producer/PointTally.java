package dev.slaprof.producer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of every sweep point's measured requests: how many succeeded, how many failed, and the first failure's
 * message, so that a sweep whose requests fail says so instead of reporting samples published.
 */
public final class PointTally {
    /**
     * One point's outcome.
     *
     * @param ok         successful measured requests
     * @param failed     failed or cancelled measured requests
     * @param firstError the first failure's status and message, or null
     */
    public record Outcome(long ok, long failed, String firstError) {
        /** Share of the point's requests that failed. */
        public double failedShare() {
            return ok + failed == 0 ? 0 : (double) failed / (ok + failed);
        }

        @Override
        public String toString() {
            return ok + " ok, " + failed + " failed" + (firstError == null ? "" : " (first: " + firstError + ")");
        }
    }

    private final Map<String, Outcome> points = new LinkedHashMap<>();
    private long ok;
    private long failed;
    private String firstError;

    /** Counts one measured request of {@code point}. */
    public synchronized void add(final String point, final Measurement m) {
        final Outcome o = points.getOrDefault(point, new Outcome(0, 0, null));
        if (m.ok()) {
            ok++;
            points.put(point, new Outcome(o.ok() + 1, o.failed(), o.firstError()));
            return;
        }
        failed++;
        final String why = (m.httpStatus() == 0 ? "" : "HTTP " + m.httpStatus() + " ")
            + (m.errorType() == null ? "" : m.errorType() + ": ") + (m.errorMessage() == null ? "" : m.errorMessage());
        if (firstError == null) {
            firstError = why;
        }
        points.put(point, new Outcome(o.ok(), o.failed() + 1, o.firstError() == null ? why : o.firstError()));
    }

    /** The outcome of {@code point} so far. */
    public synchronized Outcome point(final String point) {
        return points.getOrDefault(point, new Outcome(0, 0, null));
    }

    /** Every request of every point. */
    public synchronized Outcome total() {
        return new Outcome(ok, failed, firstError);
    }
}
