package dev.slaprof.producer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of every sweep point's measured requests: how many succeeded, how many failed, and the first failure's
 * message, so that a sweep whose requests fail says so instead of reporting samples published; and how many of the
 * successful ones were served a prompt whose length, as the engine counted it ({@code usage.prompt_tokens}), is more
 * than {@link #ISL_TOLERANCE} off the requested ISL.
 */
public final class PointTally {
    /**
     * One point's outcome.
     *
     * @param ok         successful measured requests
     * @param failed     failed or cancelled measured requests
     * @param firstError the first failure's status and message, or null
     * @param offLength  successful requests whose usage.prompt_tokens is off the requested ISL by more than 1 %
     * @param firstOff   the first of those, "usage.prompt_tokens N for ISL M", or null
     */
    public record Outcome(long ok, long failed, String firstError, long offLength, String firstOff) {
        Outcome(final long ok, final long failed, final String firstError) {
            this(ok, failed, firstError, 0, null);
        }

        /** Share of the point's requests that failed. */
        public double failedShare() {
            return ok + failed == 0 ? 0 : (double) failed / (ok + failed);
        }

        @Override
        public String toString() {
            return ok + " ok, " + failed + " failed" + (firstError == null ? "" : " (first: " + firstError + ")")
                + (offLength == 0 ? "" : "; " + offLength + " with a prompt length off the ISL by over 1 % (first: "
                    + firstOff + ")");
        }
    }

    /** The share by which an engine's prompt count may differ from the requested ISL before it is reported. */
    public static final double ISL_TOLERANCE = 0.01;

    /** True when the engine's count of the prompt, {@code inputTokens}, is over 1 % off {@code isl}. */
    public static boolean offLength(final int isl, final long inputTokens) {
        return Math.abs(inputTokens - isl) > ISL_TOLERANCE * isl;
    }

    private final Map<String, Outcome> points = new LinkedHashMap<>();
    private long ok;
    private long failed;
    private String firstError;
    private long offLength;
    private String firstOff;

    /** Counts one measured request of {@code point}. */
    public synchronized void add(final String point, final Measurement m) {
        add(point, m, -1);
    }

    /** Counts one measured request of {@code point} sent with a prompt of {@code isl} tokens (-1: not checked). */
    public synchronized void add(final String point, final Measurement m, final int isl) {
        final Outcome o = points.getOrDefault(point, new Outcome(0, 0, null));
        if (m.ok()) {
            ok++;
            final boolean off = isl > 0 && offLength(isl, m.inputTokens());
            final String why = off ? "usage.prompt_tokens " + m.inputTokens() + " for ISL " + isl : null;
            if (off) {
                offLength++;
                firstOff = firstOff == null ? why : firstOff;
            }
            points.put(point, new Outcome(o.ok() + 1, o.failed(), o.firstError(), o.offLength() + (off ? 1 : 0),
                o.firstOff() == null ? why : o.firstOff()));
            return;
        }
        failed++;
        final String why = (m.httpStatus() == 0 ? "" : "HTTP " + m.httpStatus() + " ")
            + (m.errorType() == null ? "" : m.errorType() + ": ") + (m.errorMessage() == null ? "" : m.errorMessage());
        if (firstError == null) {
            firstError = why;
        }
        points.put(point, new Outcome(o.ok(), o.failed() + 1, o.firstError() == null ? why : o.firstError(),
            o.offLength(), o.firstOff()));
    }

    /** One line on the prompt lengths the engines counted, over every successful measured request. */
    public synchronized String promptLengths() {
        return "prompt lengths: " + (ok - offLength) + " of " + ok + " successful measured requests within 1 % of "
            + "their ISL as the engine counted them (usage.prompt_tokens)" + (offLength == 0 ? ""
                : "; the first off: " + firstOff);
    }

    /** The outcome of {@code point} so far. */
    public synchronized Outcome point(final String point) {
        return points.getOrDefault(point, new Outcome(0, 0, null));
    }

    /** Every request of every point. */
    public synchronized Outcome total() {
        return new Outcome(ok, failed, firstError, offLength, firstOff);
    }
}
