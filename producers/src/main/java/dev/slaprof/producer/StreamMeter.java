package dev.slaprof.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Measures one OpenAI-compatible SSE stream with AIPerf's definitions as its events arrive: first and last content
 * chunk times, usage, [DONE], errors. Used by the benchmark client and the live tap. Not thread-safe: one stream.
 */
final class StreamMeter {
    private static final ObjectMapper JSON = new ObjectMapper();

    final int requestedIsl;
    long t0;
    long now;
    long firstContentNs;
    long lastContentNs;
    int status;
    int promptTokens = -1;
    int completionTokens = -1;
    boolean done;
    boolean finished;
    boolean cancelled;
    volatile boolean timedOut;
    String errorType;
    String errorMessage;
    Double scheduledTtftMs;
    Double scheduledItlMs;

    StreamMeter(final int requestedIsl) {
        this.requestedIsl = requestedIsl;
    }

    void fail(final String type, final String message) {
        if (errorType == null) {
            errorType = type;
            errorMessage = message;
        }
        finished = true;
    }

    void onEvent(final SseParser.Event e) {
        if (finished) {
            return;
        }
        if (e.type().equals("error")) {
            fail("StreamError", e.data().isEmpty() ? e.comment() : e.data());
            return;
        }
        final String data = e.data().trim();
        if (data.isEmpty()) {
            schedule(e.comment());
            return;
        }
        if (data.equals("[DONE]")) {
            done = true;
            finished = true;
            return;
        }
        final JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (final IOException ex) {
            return;
        }
        if (chunk.has("error")) {
            final JsonNode err = chunk.path("error");
            fail("StreamError", err.isTextual() ? err.asText() : err.path("message").asText(err.toString()));
            return;
        }
        if (chunk.has("usage") && chunk.path("usage").isObject()) {
            promptTokens = chunk.path("usage").path("prompt_tokens").asInt(promptTokens);
            completionTokens = chunk.path("usage").path("completion_tokens").asInt(completionTokens);
        }
        for (final JsonNode choice : chunk.path("choices")) {
            if (hasContent(choice)) {
                if (firstContentNs == 0) {
                    firstContentNs = now;
                }
                lastContentNs = now;
            }
        }
    }

    /** Reads the simulator's schedule comment ({@code slaprof-schedule ttft_ms=.. itl_ms=..}); others are ignored. */
    private void schedule(final String comment) {
        if (!comment.startsWith("slaprof-schedule ")) {
            return;
        }
        for (final String kv : comment.substring(17).trim().split("\\s+")) {
            final int eq = kv.indexOf('=');
            if (eq < 0) {
                continue;
            }
            try {
                final double v = Double.parseDouble(kv.substring(eq + 1));
                if (kv.startsWith("ttft_ms=") && Double.isFinite(v)) {
                    scheduledTtftMs = v;
                } else if (kv.startsWith("itl_ms=") && Double.isFinite(v)) {
                    scheduledItlMs = v;
                }
            } catch (final NumberFormatException ex) {
                // A foreign comment that happens to share the prefix: not a schedule.
            }
        }
    }

    /** True for the final usage-only chunk ({@code choices: []} with a {@code usage} object). */
    static boolean isUsageOnly(final SseParser.Event e) {
        final String data = e.data().trim();
        if (!data.startsWith("{") || !data.contains("\"usage\"")) {
            return false;
        }
        try {
            final JsonNode chunk = JSON.readTree(data);
            return chunk.path("usage").isObject() && chunk.path("choices").isArray()
                && chunk.path("choices").isEmpty();
        } catch (final IOException ex) {
            return false;
        }
    }

    /**
     * An output chunk as AIPerf 0.13's chat parser counts one: non-empty reasoning ({@code reasoning_content} or
     * {@code reasoning}), a tool call carrying a function name or arguments text, or non-empty content (or a
     * completion's {@code text}). Unlike AIPerf, a chunk without {@code "object": "chat.completion.chunk"} still
     * counts (docs/CALIBRATION.md lists the differences).
     */
    static boolean hasContent(final JsonNode choice) {
        final JsonNode delta = choice.path("delta");
        if (!delta.path("content").asText("").isEmpty()
            || !delta.path("reasoning_content").asText("").isEmpty()
            || !delta.path("reasoning").asText("").isEmpty()
            || !choice.path("text").asText("").isEmpty()) {
            return true;
        }
        for (final JsonNode call : delta.path("tool_calls")) {
            final JsonNode fn = call.path("function");
            if (!fn.path("name").asText("").isEmpty() || !fn.path("arguments").asText("").isEmpty()) {
                return true;
            }
        }
        return false;
    }

    Measurement result(final long startEpochUs, final double scale) {
        final boolean ok = done && errorType == null && firstContentNs != 0;
        final Double ttft = firstContentNs == 0 ? null : (firstContentNs - t0) / 1e6 * scale;
        final Double latency = lastContentNs == 0 ? null : (lastContentNs - t0) / 1e6 * scale;
        final int osl = Math.max(0, completionTokens);
        final Double itl = ok && osl >= 2 ? (lastContentNs - firstContentNs) / 1e6 * scale / (osl - 1) : null;
        final long endNs = lastContentNs != 0 ? lastContentNs : System.nanoTime();
        final long endEpochUs = startEpochUs + (long) ((endNs - t0) / 1e3 * scale);
        return new Measurement(ok, cancelled, status, ok ? null : errorType == null ? "NoContent" : errorType,
            ok ? null : errorMessage == null ? "no content chunk arrived" : errorMessage, ttft, itl, latency,
            promptTokens >= 0 ? promptTokens : requestedIsl, osl, startEpochUs, endEpochUs, scheduledTtftMs,
            scheduledItlMs);
    }
}
