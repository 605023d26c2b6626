package dev.slaprof.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.LoopbackHttp;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.SourceKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The live tap: a reverse proxy in front of an OpenAI-compatible engine. It forwards every request and streams the
 * answer back unchanged, and for each streaming completion measures TTFT, ITL, ISL, OSL and the in-flight count at
 * send, handing a sample to a non-blocking sink ({@link BoundedSampleQueue}). When the client did not ask for
 * {@code include_usage} the tap asks for it and removes that one extra usage chunk from what the client receives,
 * so the client's bytes are what the engine would have sent it.
 */
public final class TapProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "keep-alive",
        "transfer-encoding", "upgrade", "expect", "te", "trailer", "proxy-connection");

    private final URI upstream;
    private final Endpoint labels;
    private final Consumer<LatencySample> sink;
    /** Prefix of a tap sample's event id taken from the request's X-Request-ID. */
    public static final String TAP_ID_PREFIX = "tap:";
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient http;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Microseconds from a request's arrival to its forwarding upstream (parse, rewrite, hand-off). */
    private final org.HdrHistogram.Recorder requestDelay = new org.HdrHistogram.Recorder(3);
    /** Microseconds from bytes read from the engine to the same bytes flushed to the client, per read. */
    private final org.HdrHistogram.Recorder relayDelay = new org.HdrHistogram.Recorder(3);

    /**
     * @param upstream base URL of the engine, e.g. http://127.0.0.1:8000
     * @param labels   deployment, role and mapping of the engine (its url is ignored)
     * @param sink     receives one sample per streaming completion; must not block
     */
    public TapProxy(final String upstream, final Endpoint labels, final Consumer<LatencySample> sink,
                    final String host, final int port) throws IOException {
        this.upstream = URI.create(upstream.endsWith("/") ? upstream.substring(0, upstream.length() - 1) : upstream);
        this.labels = labels;
        this.sink = sink;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
        this.server = LoopbackHttp.create(host, port, 1024);
        this.executor = Executors.newCachedThreadPool(r -> {
            final Thread t = new Thread(r, "tap-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URL of the tap. */
    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** Requests currently forwarded. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * The latency this proxy adds, measured inside it since the last call: per request, arrival to forwarding
     * upstream; per chunk, read from the engine to flushed to the client (both in microseconds). What a client sees
     * on top is two loopback hops.
     */
    public record Overhead(org.HdrHistogram.Histogram request, org.HdrHistogram.Histogram relay) {
    }

    /** The overhead histograms since the previous call (interval snapshots). */
    public Overhead overhead() {
        return new Overhead(requestDelay.getIntervalHistogram(), relayDelay.getIntervalHistogram());
    }

    private void handle(final HttpExchange ex) throws IOException {
        final long arrived = System.nanoTime();
        try {
            final byte[] body = ex.getRequestBody().readAllBytes();
            final String path = ex.getRequestURI().getRawPath();
            final boolean completion = "POST".equals(ex.getRequestMethod())
                && (path.endsWith("/chat/completions") || path.endsWith("/completions"));
            JsonNode json = null;
            if (completion) {
                try {
                    json = JSON.readTree(body);
                } catch (final IOException e) {
                    json = null;
                }
            }
            final boolean measured = json != null && json.isObject() && json.path("stream").asBoolean(false);
            if (!measured) {
                forward(ex, body);
                return;
            }
            final boolean addUsage = !json.path("stream_options").path("include_usage").asBoolean(false);
            byte[] sent = body;
            if (addUsage) {
                final ObjectNode copy = ((ObjectNode) json).deepCopy();
                final ObjectNode options = copy.putObject("stream_options");
                if (json.path("stream_options").isObject()) {
                    options.setAll((ObjectNode) json.path("stream_options"));
                }
                options.put("include_usage", true);
                sent = JSON.writeValueAsBytes(copy);
            }
            measureStream(ex, sent, addUsage, json, arrived);
        } catch (final IOException e) {
            // The client or the engine went away mid-request; the sample (if any) was already handed over.
        } finally {
            ex.close();
        }
    }

    private HttpRequest.Builder request(final HttpExchange ex, final byte[] body) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI().toString()))
            .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT))) {
                vs.forEach(v -> b.header(k, v));
            }
        });
        return b;
    }

    private void forward(final HttpExchange ex, final byte[] body) throws IOException {
        final HttpResponse<InputStream> r = send(ex, body);
        if (r == null) {
            return;
        }
        copyHeaders(r, ex);
        ex.sendResponseHeaders(r.statusCode(), 0);
        try (InputStream in = r.body(); OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private HttpResponse<InputStream> send(final HttpExchange ex, final byte[] body) throws IOException {
        try {
            return http.send(request(ex, body).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (final IOException e) {
            final byte[] msg = ("{\"error\":{\"message\":\"upstream unreachable: " + e.getClass().getSimpleName()
                + "\",\"code\":502}}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(502, msg.length);
            ex.getResponseBody().write(msg);
            return null;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void copyHeaders(final HttpResponse<?> r, final HttpExchange ex) {
        r.headers().map().forEach((k, vs) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
                ex.getResponseHeaders().put(k, vs);
            }
        });
    }

    private void measureStream(final HttpExchange ex, final byte[] body, final boolean stripUsage,
                               final JsonNode request, final long arrived) throws IOException {
        final int load = inFlight.incrementAndGet();
        final StreamMeter meter = new StreamMeter(0);
        final long now = System.nanoTime();
        requestDelay.recordValue(Math.max(0, (now - arrived) / 1000));
        // The client waits from the moment the tap holds its request: the tap's own handling (reading and parsing
        // the body, reaching the engine) is part of the latency it measures, as the client's own clock counts it.
        final long startEpochUs = System.currentTimeMillis() * 1000 - (now - arrived) / 1000;
        meter.t0 = arrived;
        try {
            final HttpResponse<InputStream> r = send(ex, body);
            if (r == null) {
                meter.fail("UpstreamUnreachable", "engine unreachable");
                return;
            }
            meter.status = r.statusCode();
            copyHeaders(r, ex);
            ex.sendResponseHeaders(r.statusCode(), 0);
            try (InputStream in = r.body(); OutputStream out = ex.getResponseBody()) {
                if (r.statusCode() != 200) {
                    in.transferTo(out);
                    meter.fail("HttpError", "HTTP " + r.statusCode());
                    return;
                }
                SseRelay.relay(in, out, meter, stripUsage, relayDelay);
            }
        } finally {
            inFlight.decrementAndGet();
            final Measurement m = meter.result(startEpochUs, 1.0);
            final int osl = request.path("max_tokens").asInt(request.path("max_completion_tokens").asInt(
                m.outputTokens()));
            final LatencySample sample = BenchmarkWorker.sample(labels, m, Phase.PROFILING, null, load,
                m.inputTokens(), osl, "tap", SourceKind.TAP);
            // A client's X-Request-ID (AIPerf sends one) names the sample, so the tap's measurement and the client's
            // own record of one request can be matched; prefixed, so the two are never taken for one sample.
            final String rid = ex.getRequestHeaders().getFirst("X-Request-ID");
            if (rid != null && !rid.isBlank() && rid.length() <= 128) {
                sample.setEventId(TAP_ID_PREFIX + rid.strip());
            }
            sink.accept(sample);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
