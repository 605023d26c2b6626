package dev.slaprof.producer;

/**
 * One request measured with AIPerf's definitions. Times in milliseconds of the measuring clock (monotonic),
 * already multiplied by the engine's time scale (1 for real engines).
 *
 * @param ok            true when the stream completed with [DONE] and no error
 * @param cancelled     true when the client cancelled (timeout)
 * @param httpStatus    HTTP status (0 when the connection failed)
 * @param errorType     error class, or null
 * @param errorMessage  error text, or null
 * @param ttftMs        send to first chunk with non-empty content or reasoning; null if none arrived
 * @param itlMs         (last content - first content) / (OSL - 1); null when OSL &lt; 2 or on failure
 * @param latencyMs     send to last content chunk; null if no content arrived
 * @param inputTokens   usage.prompt_tokens (or the requested ISL when no usage chunk came)
 * @param outputTokens  usage.completion_tokens (0 when unknown)
 * @param startEpochUs  epoch microseconds at send
 * @param endEpochUs    epoch microseconds at the last content chunk or the failure
 * @param scheduledTtftMs the engine's own schedule of this request's TTFT (model ms), when the engine reported it
 *                        (slaprof's simulator does, in an SSE comment); else null
 * @param scheduledItlMs  the engine's own schedule of this request's ITL (model ms), when reported; else null
 */
public record Measurement(boolean ok, boolean cancelled, int httpStatus, String errorType, String errorMessage,
                          Double ttftMs, Double itlMs, Double latencyMs, int inputTokens, int outputTokens,
                          long startEpochUs, long endEpochUs, Double scheduledTtftMs, Double scheduledItlMs) {
    /** A measurement the engine reported no schedule for. */
    public Measurement(final boolean ok, final boolean cancelled, final int httpStatus, final String errorType,
                       final String errorMessage, final Double ttftMs, final Double itlMs, final Double latencyMs,
                       final int inputTokens, final int outputTokens, final long startEpochUs, final long endEpochUs) {
        this(ok, cancelled, httpStatus, errorType, errorMessage, ttftMs, itlMs, latencyMs, inputTokens, outputTokens,
            startEpochUs, endEpochUs, null, null);
    }

    /** Relative error of the measured TTFT against the engine's schedule, or NaN when either is missing. */
    public double ttftError() {
        return relative(ttftMs, scheduledTtftMs);
    }

    /** Relative error of the measured ITL against the engine's schedule, or NaN when either is missing. */
    public double itlError() {
        return relative(itlMs, scheduledItlMs);
    }

    private static double relative(final Double measured, final Double scheduled) {
        return measured == null || scheduled == null || !(scheduled > 0) ? Double.NaN
            : (measured - scheduled) / scheduled;
    }
}
