package dev.slaprof.sink;

import dev.slaprof.dynamo.DgdYaml;
import dev.slaprof.dynamo.SafeNames;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.LoopbackHttp;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Read-only JSON API over the latest recommendations, on loopback by default. Deployments are addressed by their
 * output-folder name (e.g. {@code Qwen_Qwen3-32B__vllm__H200-SXM__sim}):
 * <pre>
 * GET /api/health
 * GET /api/session                                       a CSRF token for writes, and whether tokens are needed
 * GET /api/recommendations                               list of {deployment, profile, ...}
 * GET /api/recommendations/{deployment}/{profile}        full recommendation (?omit=field,... to leave fields out)
 * GET /api/recommendations/{deployment}/{profile}/tables prefill and decode raw tables (ConfigMap form)
 * GET /api/recommendations/{deployment}/{profile}/grids  prefill spline samples and the 100 x 100 decode grid
 *                                                        (?method=dynamo: Dynamo's grid, flagged when ill-conditioned)
 * GET .../query/prefill?isl=3000                          TTFT and thpt/GPU (spline, clamped)
 * GET .../query/decode?in_flight=32&amp;context=3250          ITL and thpt/GPU (grid node)
 * GET .../query/best?itl=20&amp;context=3250                  best thpt/GPU within an ITL
 * GET .../query/planner?isl=3000&amp;osl=500&amp;itl=25          what Dynamo 1.x's planner concludes (its linear fits)
 * GET .../stats                                          per-bucket statistics of the deployment (web UI)
 * GET .../config?prefill=TP%3D2&amp;decode=TP%3D1&amp;in_flight=32 DynamoGraphDeployment YAML preview of a choice
 * POST .../pin   {"prefill_label", "decode_label", "decode_in_flight"}  pin a choice (selections topic)
 * DELETE .../pin                                          unpin
 *   (both need Authorization: Bearer TOKEN with a token file, else the page's X-CSRF-Token and its Origin)
 * GET /api/events                                         server-sent events: a "recommendation" per new snapshot
 * GET /                                                   the live web UI
 * GET /metrics                                            Prometheus text
 * </pre>
 * Bad queries get 400, unknown names 404, tables that cannot answer 409 ({@link CannotAnswer}, wherever it arises),
 * a reader that is not ready 503, always with a JSON message. The resources are {@link RecommendationResource},
 * {@link PinResource} and {@link MetricsResource}; this class routes and maps errors to statuses.
 */
public final class RestApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PlannerClient client;
    private final UiBackend ui;
    private final LiveEvents events;
    private final RecommendationResource recommendations;
    private final PinResource pins;
    private final MetricsResource metrics;
    private final HttpServer server;
    private final HttpSurface surface;
    private final ExecutorService executor;
    /** Threads serving requests (event streams do not hold one). */
    static final int HTTP_THREADS = 16;

    /**
     * @param counters extra Prometheus gauges (name to value) sampled at each scrape, e.g. samples processed
     */
    public RestApi(final PlannerClient client, final Supplier<Map<String, Double>> counters, final String host,
                   final int port) throws IOException {
        this(client, counters, host, port, null);
    }

    /**
     * What the web UI needs beyond the recommendations: bucket statistics, the pin publisher and the cluster's GPUs
     * per node (for configuration previews).
     */
    public record UiBackend(CompactedTopicReader<StatsKey, MappingLoadStats> stats, SelectionPublisher selections,
                            int gpusPerNode) {
    }

    /** The API plus, with {@code ui} given, the web UI, its live event stream and the pin endpoints. */
    public RestApi(final PlannerClient client, final Supplier<Map<String, Double>> counters, final String host,
                   final int port, final UiBackend ui) throws IOException {
        this(client, counters, host, port, ui, HttpSurface.Options.loopback());
    }

    /**
     * The API and UI behind the access policy of {@code options} (tokens, hosts, TLS): pins and unpins need a token
     * or the page's same-origin proof, reads need a token off loopback unless public.
     */
    public RestApi(final PlannerClient client, final Supplier<Map<String, Double>> counters, final String host,
                   final int port, final UiBackend ui, final HttpSurface.Options options) throws IOException {
        this.client = client;
        this.ui = ui;
        this.surface = HttpSurface.create(host, port, 64, options, "web UI and REST API", true);
        this.recommendations = new RecommendationResource(client, ui == null ? null : ui.stats(),
            ui == null ? DgdYaml.DEFAULT_GPUS_PER_NODE : ui.gpusPerNode());
        this.pins = ui == null ? null : new PinResource(recommendations, ui.selections());
        this.metrics = new MetricsResource(client, counters, surface);
        this.server = surface.server();
        // Over TLS the JDK server reads a connection's handshake and request on an executor thread, so a socket a
        // browser opened ahead of use (a preconnect) holds a thread until it speaks: a pool of 2 stalled the page.
        this.executor = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
            final Thread t = new Thread(r, "rest-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        surface.context("/api/", this::api);
        surface.context("/metrics", metrics::serve);
        if (ui != null) {
            this.events = new LiveEvents(10_000);
            new WebUi(surface, events);
            // After the snapshot is visible: a page that reloads on this event must read the new one.
            client.afterChange((k, r) -> {
                if (r != null) {
                    events.publish("recommendation", JSON.createObjectNode()
                        .put("deployment", SafeNames.deployment(k.getDeployment())).put("profile", k.getProfile())
                        .put("generated_at_us", r.getGeneratedAtUs()).toString());
                }
            });
        } else {
            this.events = null;
        }
        server.start();
    }

    /** Base URL, e.g. http://127.0.0.1:8377 (https with a keystore). */
    public String url() {
        return surface.url();
    }

    private void api(final HttpExchange ex) throws IOException {
        try {
            final String[] p = ex.getRequestURI().getRawPath().replaceAll("^/api/|/+$", "").split("/");
            for (int i = 0; i < p.length; i++) {
                p[i] = URLDecoder.decode(p[i], StandardCharsets.UTF_8);
            }
            if (pins != null && p.length == 4 && p[0].equals("recommendations") && p[3].equals("pin")) {
                send(ex, 200, pins.handle(ex, recommendations.find(p[1], p[2])));
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                throw new ApiError(405, "only GET is supported here");
            }
            send(ex, 200, route(p, QueryParams.parse(ex.getRequestURI().getRawQuery())));
        } catch (final ApiError e) {
            send(ex, e.status(), JSON.createObjectNode().put("error", e.getMessage()));
        } catch (final CannotAnswer e) {
            send(ex, 409, JSON.createObjectNode().put("error", e.getMessage()));
        } catch (final IllegalStateException e) {
            send(ex, 503, JSON.createObjectNode().put("error", e.getMessage()));
        } catch (final RuntimeException e) {
            send(ex, 500, JSON.createObjectNode().put("error", e.toString()));
        } finally {
            ex.close();
        }
    }

    private Object route(final String[] p, final Map<String, String> q) {
        if (p.length == 1 && p[0].equals("session")) {
            // What a client needs to write: the CSRF token of a same-origin page (a cross-site page cannot read this
            // answer: no CORS is ever granted, and a rebound Host is refused), and whether tokens are required.
            return JSON.createObjectNode().put("csrf_token", surface.policy().issueCsrf())
                .put("writes_need_token", surface.policy().writesNeedToken())
                .put("reads_need_token", surface.policy().readsNeedToken());
        }
        if (p.length == 1 && p[0].equals("health")) {
            return JSON.createObjectNode().put("status", "UP").put("recommendations", client.all().size());
        }
        if (p[0].equals("recommendations")) {
            if (p.length == 1) {
                return recommendations.list();
            }
            if (p.length >= 3) {
                final RecommendationKey key = recommendations.find(p[1], p[2]);
                if (p.length == 3) {
                    return recommendations.recommendation(key, q);
                }
                if (p.length == 4 && p[3].equals("tables")) {
                    return RecommendationResource.tables(recommendations.latest(key));
                }
                if (p.length == 4 && p[3].equals("grids")) {
                    return RecommendationResource.grids(recommendations.view(key), q.getOrDefault("method", "default"));
                }
                if (p.length == 4 && p[3].equals("stats") && ui != null) {
                    return recommendations.stats(key);
                }
                if (p.length == 4 && p[3].equals("config")) {
                    return recommendations.config(recommendations.latest(key), q);
                }
                if (p.length == 5 && p[3].equals("query")) {
                    return RecommendationResource.query(recommendations.view(key), p[4], q);
                }
            }
        }
        throw new ApiError(404, "no such resource: /api/" + String.join("/", p));
    }

    private static void send(final HttpExchange ex, final int status, final Object body) throws IOException {
        LoopbackHttp.send(ex, status, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
    }

    @Override
    public void close() {
        if (events != null) {
            events.close();
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
