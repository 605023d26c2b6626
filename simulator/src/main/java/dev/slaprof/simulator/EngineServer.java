package dev.slaprof.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.LoopbackHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP front for a {@link SimEngine}: {@code /v1/chat/completions} and {@code /v1/completions}
 * (streaming and not), {@code /v1/models}, {@code /health}, {@code /metrics} (vLLM names) and {@code /log} (the
 * engine start-up log with vLLM's "Maximum concurrency" line). One prompt token per whitespace-separated word. The
 * request ({@link CompletionRequest}), the stream ({@link SseWriter}) and the faults ({@link FaultInjector}) have
 * classes of their own.
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
    private final FaultInjector faults;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String startupLog;

    public EngineServer(final SimEngine engine, final String modelName, final Faults faults, final String host,
                        final int port) throws IOException {
        this.engine = engine;
        this.modelName = modelName;
        this.faults = new FaultInjector(faults);
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
            final CompletionRequest req;
            try {
                req = CompletionRequest.of(JSON.readTree(ex.getRequestBody().readAllBytes()), chat);
            } catch (final IOException e) {
                send(ex, 400, "application/json", error("invalid JSON body", 400));
                return;
            }
            final String fault = faults.faultFor(ex.getRequestHeaders().getFirst("X-Slaprof-Fault"), req);
            final long delay = faults.startDelayMs(fault);
            if (delay > 0) {
                // Injected fault: the delay itself is the behaviour under test (a slow-starting engine).
                Thread.sleep(delay);
            }
            if ("error".equals(fault)) {
                send(ex, 500, "application/json", error("injected engine error", 500));
                return;
            }
            if (req.isl() < 1) {
                send(ex, 400, "application/json", error("prompt is empty", 400));
                return;
            }
            final SimRequest r = new SimRequest(req.isl(), req.osl(), req.prompt().hashCode() * 31L + req.isl(),
                engine.modelMs(arrivalNs));
            engine.submit(r);
            if (req.stream()) {
                stream(ex, r, chat, req.usage(), fault);
            } else {
                whole(ex, r, chat);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private void stream(final HttpExchange ex, final SimRequest r, final boolean chat, final boolean usage,
                        final String fault) throws IOException, InterruptedException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            final SseWriter sse = new SseWriter(out, chat, modelName);
            r.awaitFirst();
            if (r.error() != null) {
                sse.error(error(r.error(), 500));
                sse.done();
                return;
            }
            if (chat) {
                sse.role();
            }
            int sent = 0;
            final int abortAt = "abort".equals(fault) ? Math.max(1, r.osl() / 2) : Integer.MAX_VALUE;
            while (true) {
                final int produced = r.produced();
                if (produced > sent) {
                    sse.tokens(produced - sent);
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
                sse.error(error("injected mid-stream error", 500));
                sse.done();
                return;
            }
            sse.finish();
            if (usage) {
                sse.usage(r.isl(), sent);
            }
            sse.schedule(r);
            if (!"no-done".equals(fault)) {
                sse.done();
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
            choice.putObject("message").put("role", "assistant").put("content", SseWriter.text(r.produced()));
        } else {
            choice.put("text", SseWriter.text(r.produced()));
        }
        root.putObject("usage").put("prompt_tokens", r.isl()).put("completion_tokens", r.produced())
            .put("total_tokens", r.isl() + r.produced());
        send(ex, 200, "application/json", root.toString());
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
