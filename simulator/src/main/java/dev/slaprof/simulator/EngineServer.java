package dev.slaprof.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.LoopbackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP front for a {@link SimEngine}: {@code /v1/chat/completions} and {@code /v1/completions}
 * (streaming and not), {@code /v1/models}, {@code /health}, {@code /metrics} (vLLM names) and {@code /log} (the
 * engine start-up log with vLLM's "Maximum concurrency" line). One prompt token per whitespace-separated word.
 */
public final class EngineServer implements AutoCloseable {
    /** Wall-clock milliseconds between chunks of one stream; tokens produced meanwhile share a chunk. */
    public static final long FLUSH_INTERVAL_MS = 20;
    /** SSE comment that carries the engine's schedule of a stream (model ms), just before [DONE]. */
    public static final String SCHEDULE_COMMENT = "slaprof-schedule";

    private static final Logger LOG = LoggerFactory.getLogger(EngineServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimEngine engine;
    private final String modelName;
    private final Faults faults;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String startupLog;

    public EngineServer(final SimEngine engine, final String modelName, final Faults faults, final String host,
                        final int port) throws IOException {
        this.engine = engine;
        this.modelName = modelName;
        this.faults = faults;
        this.server = LoopbackHttp.create(host, port, 1024);
        this.executor = Executors.newCachedThreadPool(r -> {
            final Thread t = new Thread(r, "sim-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", ex -> complete(ex, true));
        server.createContext("/v1/completions", ex -> complete(ex, false));
        server.createContext("/v1/models", this::models);
        server.createContext("/health", ex -> send(ex, 200, "text/plain", ""));
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4",
            engine.metrics().render(engine, modelName)));
        this.startupLog = startupLog();
        server.createContext("/log", ex -> send(ex, 200, "text/plain", startupLog));
        server.start();
        LOG.info("simulated engine {} {} on {}", modelName, engine.model().mapping(), url());
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    public SimEngine engine() {
        return engine;
    }

    private String startupLog() {
        final int ctx = engine.model().model().contextLength();
        final double concurrency = (double) engine.model().kvTokensPerRank() / ctx;
        return String.format(Locale.ROOT,
            "INFO [gpu_worker.py] Available KV cache memory per rank (simulated)%n"
                + "INFO [kv_cache_utils.py] GPU KV cache size: %,d tokens%n"
                + "INFO [kv_cache_utils.py] Maximum concurrency for %,d tokens per request: %.2fx%n",
            engine.model().kvTokensPerRank(), ctx, concurrency);
    }

    private void models(final HttpExchange ex) throws IOException {
        final ObjectNode root = JSON.createObjectNode().put("object", "list");
        root.putArray("data").addObject().put("id", modelName).put("object", "model").put("owned_by", "slaprof-sim")
            .put("max_model_len", engine.model().model().contextLength());
        send(ex, 200, "application/json", root.toString());
    }

    private void complete(final HttpExchange ex, final boolean chat) throws IOException {
        final long arrivalNs = System.nanoTime();
        try {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, "application/json", error("method not allowed", 405));
                return;
            }
            final JsonNode body;
            try {
                body = JSON.readTree(ex.getRequestBody().readAllBytes());
            } catch (final IOException e) {
                send(ex, 400, "application/json", error("invalid JSON body", 400));
                return;
            }
            final String prompt = chat ? chatText(body.path("messages")) : body.path("prompt").asText("");
            final int isl = countTokens(prompt);
            final int maxTokens = body.has("max_completion_tokens") ? body.path("max_completion_tokens").asInt()
                : body.path("max_tokens").asInt(16);
            final boolean exact = body.path("ignore_eos").asBoolean(false) || body.path("min_tokens").asInt(0) >= maxTokens;
            // Without ignore_eos the engine 'stops early' at a length drawn from the request itself (its prompt and
            // limit), so the same request always gets the same length and equal seeds give equal runs.
            final double u = new SplittableRandom(31L * prompt.hashCode() + maxTokens).nextDouble();
            final int osl = Math.max(1, exact ? maxTokens
                : Math.max(body.path("min_tokens").asInt(1), (int) (maxTokens * (0.5 + 0.5 * u))));
            final String fault = faultFor(ex);
            if ("slow".equals(fault) || faults.slowStartMs() > 0) {
                // Injected fault: the delay itself is the behaviour under test (a slow-starting engine).
                Thread.sleep(faults.slowStartMs() > 0 ? faults.slowStartMs() : 200);
            }
            if ("error".equals(fault)) {
                send(ex, 500, "application/json", error("injected engine error", 500));
                return;
            }
            if (isl < 1) {
                send(ex, 400, "application/json", error("prompt is empty", 400));
                return;
            }
            final SimRequest r = new SimRequest(isl, osl, prompt.hashCode() * 31L + isl,
                engine.modelMs(arrivalNs));
            engine.submit(r);
            final boolean stream = body.path("stream").asBoolean(false);
            final boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
            if (stream) {
                stream(ex, r, chat, usage, fault);
            } else {
                whole(ex, r, chat);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private String faultFor(final HttpExchange ex) {
        final String header = ex.getRequestHeaders().getFirst("X-Slaprof-Fault");
        if (header != null) {
            return header.trim();
        }
        final double u = ThreadLocalRandom.current().nextDouble();
        if (u < faults.errorRate()) {
            return "error";
        }
        if (u < faults.errorRate() + faults.abortRate()) {
            return "abort";
        }
        return "";
    }

    private void stream(final HttpExchange ex, final SimRequest r, final boolean chat, final boolean usage,
                        final String fault) throws IOException, InterruptedException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        final String id = "cmpl-" + UUID.randomUUID();
        try (OutputStream out = ex.getResponseBody()) {
            r.awaitFirst();
            if (r.error() != null) {
                event(out, error(r.error(), 500));
                event(out, "[DONE]");
                return;
            }
            if (chat) {
                event(out, chunk(id, chat, null, true, null));
            }
            int sent = 0;
            final int abortAt = "abort".equals(fault) ? Math.max(1, r.osl() / 2) : Integer.MAX_VALUE;
            while (true) {
                final int produced = r.produced();
                if (produced > sent) {
                    event(out, chunk(id, chat, tokens(produced - sent), false, null));
                    sent = produced;
                }
                if (sent >= abortAt) {
                    return;
                }
                if (r.done() && r.produced() == sent) {
                    break;
                }
                // Wakes at once when the request completes, else after one flush interval.
                r.awaitMore(r.produced(), FLUSH_INTERVAL_MS);
            }
            if ("stream-error".equals(fault)) {
                event(out, error("injected mid-stream error", 500));
                event(out, "[DONE]");
                return;
            }
            event(out, chunk(id, chat, null, false, "length"));
            if (usage) {
                final ObjectNode u = JSON.createObjectNode().put("id", id)
                    .put("object", chat ? "chat.completion.chunk" : "text_completion")
                    .put("model", modelName);
                u.putArray("choices");
                u.putObject("usage").put("prompt_tokens", r.isl()).put("completion_tokens", sent)
                    .put("total_tokens", r.isl() + sent);
                event(out, u.toString());
            }
            // The engine's own schedule of this request, as an SSE comment that OpenAI clients ignore: a client
            // measuring over HTTP compares its figures with it (the measurement error of the HTTP fleet).
            out.write(String.format(Locale.ROOT, ": %s ttft_ms=%.6f itl_ms=%.6f tokens=%d%n%n",
                SCHEDULE_COMMENT, r.scheduledTtftMs(), r.scheduledItlMs(), r.produced())
                .getBytes(StandardCharsets.UTF_8));
            if (!"no-done".equals(fault)) {
                event(out, "[DONE]");
            }
        } catch (final IOException e) {
            LOG.debug("client went away: {}", e.toString());
        }
    }

    private void whole(final HttpExchange ex, final SimRequest r, final boolean chat)
        throws IOException, InterruptedException {
        while (!r.done()) {
            r.awaitMore(r.produced(), 1000);
        }
        if (r.error() != null) {
            send(ex, 500, "application/json", error(r.error(), 500));
            return;
        }
        final ObjectNode root = JSON.createObjectNode().put("id", "cmpl-" + UUID.randomUUID())
            .put("object", chat ? "chat.completion" : "text_completion").put("model", modelName);
        final ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "length");
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", tokens(r.produced()));
        } else {
            choice.put("text", tokens(r.produced()));
        }
        root.putObject("usage").put("prompt_tokens", r.isl()).put("completion_tokens", r.produced())
            .put("total_tokens", r.isl() + r.produced());
        send(ex, 200, "application/json", root.toString());
    }

    private String chunk(final String id, final boolean chat, final String text, final boolean roleOnly,
                         final String finish) {
        final ObjectNode c = JSON.createObjectNode().put("id", id)
            .put("object", chat ? "chat.completion.chunk" : "text_completion").put("model", modelName);
        final ArrayNode choices = c.putArray("choices");
        final ObjectNode choice = choices.addObject().put("index", 0);
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

    private static String tokens(final int n) {
        return " tok".repeat(n);
    }

    private static void event(final OutputStream out, final String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String chatText(final JsonNode messages) {
        final StringBuilder sb = new StringBuilder();
        for (final JsonNode m : messages) {
            sb.append(m.path("content").asText("")).append(' ');
        }
        return sb.toString();
    }

    /** Prompt tokens of the simulator's tokenizer: whitespace-separated words. */
    public static int countTokens(final String text) {
        int n = 0;
        boolean in = false;
        for (int i = 0; i < text.length(); i++) {
            final boolean ws = Character.isWhitespace(text.charAt(i));
            if (!ws && !in) {
                n++;
            }
            in = !ws;
        }
        return n;
    }

    private static String error(final String message, final int code) {
        final ObjectNode e = JSON.createObjectNode();
        e.putObject("error").put("message", message).put("type", code >= 500 ? "InternalServerError" : "BadRequest")
            .put("code", code);
        return e.toString();
    }

    private static void send(final HttpExchange ex, final int status, final String type, final String body)
        throws IOException {
        LoopbackHttp.send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        engine.close();
        executor.shutdownNow();
    }
}
