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
 */
public record Measurement(boolean ok, boolean cancelled, int httpStatus, String errorType, String errorMessage,
                          Double ttftMs, Double itlMs, Double latencyMs, int inputTokens, int outputTokens,
                          long startEpochUs, long endEpochUs) {
}
