package dev.slaprof.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * One OpenAI stream of the simulated engine as server-sent events: the chat role chunk, content chunks, the finish
 * chunk, the usage chunk, the engine's own schedule of the request as an SSE comment OpenAI clients ignore, and
 * {@code [DONE]}. Each event is flushed as it is written.
 */
final class SseWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;
    private final String id = "cmpl-" + UUID.randomUUID();
    private final boolean chat;
    private final String model;

    SseWriter(final OutputStream out, final boolean chat, final String model) {
        this.out = out;
        this.chat = chat;
        this.model = model;
    }

    /** The chat stream's first chunk: the assistant role, no content. */
    void role() throws IOException {
        event(chunk(null, true, null));
    }

    /** A chunk of {@code n} content tokens. */
    void tokens(final int n) throws IOException {
        event(chunk(text(n), false, null));
    }

    /** The chunk with {@code finish_reason} "length". */
    void finish() throws IOException {
        event(chunk(null, false, "length"));
    }

    /** The usage chunk (no choices). */
    void usage(final int promptTokens, final int completionTokens) throws IOException {
        final ObjectNode u = JSON.createObjectNode().put("id", id)
            .put("object", chat ? "chat.completion.chunk" : "text_completion").put("model", model);
        u.putArray("choices");
        u.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
            .put("total_tokens", promptTokens + completionTokens);
        event(u.toString());
    }

    /**
     * The engine's own schedule of this request: a client measuring over HTTP compares its figures with it (the
     * measurement error of the HTTP fleet).
     */
    void schedule(final SimRequest r) throws IOException {
        out.write(String.format(Locale.ROOT, ": %s ttft_ms=%.6f itl_ms=%.6f tokens=%d%n%n",
            EngineServer.SCHEDULE_COMMENT, r.scheduledTtftMs(), r.scheduledItlMs(), r.produced())
            .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** An error object as an event (the stream's status is 200 already). */
    void error(final String errorJson) throws IOException {
        event(errorJson);
    }

    void done() throws IOException {
        event("[DONE]");
    }

    private String chunk(final String text, final boolean roleOnly, final String finish) {
        final ObjectNode c = JSON.createObjectNode().put("id", id)
            .put("object", chat ? "chat.completion.chunk" : "text_completion").put("model", model);
        final ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        if (chat) {
            final ObjectNode delta = choice.putObject("delta");
            if (roleOnly) {
                delta.put("role", "assistant").put("content", "");
            } else if (text != null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text == null ? "" : text);
        }
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return c.toString();
    }

    /** {@code n} tokens of the simulator's text. */
    static String text(final int n) {
        return " tok".repeat(n);
    }

    private void event(final String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
