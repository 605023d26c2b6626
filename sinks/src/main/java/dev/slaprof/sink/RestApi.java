package dev.slaprof.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slaprof.schema.LoopbackHttp;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.MetricStats;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.http.AccessPolicy;
import dev.slaprof.schema.http.HttpSurface;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import dev.slaprof.topology.interp.DecodeInterpolator;
import dev.slaprof.topology.recommend.PlannerRegression;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * Bad queries get 400, unknown names 404, tables that cannot answer 409, always with a JSON message.
 */
public final class RestApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PlannerClient client;
    private final UiBackend ui;
    private final LiveEvents events;
    private final Supplier<Map<String, Double>> counters;
    private final HttpServer server;
    private final HttpSurface surface;
    private final ExecutorService executor;
    /** Threads serving requests (event streams do not hold one). */
    static final int HTTP_THREADS = 16;

    /** An API error: status and message. */
    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ApiError(final int status, final String message) {
            super(message);
            this.status = status;
        }
    }

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
        this.counters = counters;
        this.surface = HttpSurface.create(host, port, 64, options, "web UI and REST API", true);
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
        surface.context("/metrics", this::metrics);
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
            if (ui != null && p.length == 4 && p[0].equals("recommendations") && p[3].equals("pin")) {
                send(ex, 200, pin(ex, find(p[1], p[2])));
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                throw new ApiError(405, "only GET is supported here");
            }
            send(ex, 200, route(p, query(ex.getRequestURI().getRawQuery())));
        } catch (final ApiError e) {
            send(ex, e.status, JSON.createObjectNode().put("error", e.getMessage()));
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
                return list();
            }
            if (p.length >= 3) {
                final RecommendationKey key = find(p[1], p[2]);
                if (p.length == 3) {
                    final ObjectNode rec = AvroJson.toJson(client.latest(key).orElseThrow());
                    // ?omit=decode_grid,prefill_ttft_spline,...: leave large fields out (the web UI reads the grids
                    // from /grids, so it asks without the 10,000-node arrays on every update).
                    for (final String field : q.getOrDefault("omit", "").split(",")) {
                        rec.remove(field.trim());
                    }
                    return rec;
                }
                if (p.length == 4 && p[3].equals("tables")) {
                    return tables(client.latest(key).orElseThrow());
                }
                if (p.length == 4 && p[3].equals("grids")) {
                    return grids(client.view(key).orElseThrow(), q.getOrDefault("method", "default"));
                }
                if (p.length == 4 && p[3].equals("stats") && ui != null) {
                    return stats(key);
                }
                if (p.length == 4 && p[3].equals("config")) {
                    return config(client.latest(key).orElseThrow(), q);
                }
                if (p.length == 5 && p[3].equals("query")) {
                    return query(client.view(key).orElseThrow(), p[4], q);
                }
            }
        }
        throw new ApiError(404, "no such resource: /api/" + String.join("/", p));
    }

    private ArrayNode list() {
        final ArrayNode a = JSON.createArrayNode();
        client.all().forEach((k, r) -> {
            final ObjectNode o = a.addObject().put("deployment", SafeNames.deployment(k.getDeployment()))
                .put("profile", k.getProfile()).put("model", k.getDeployment().getModel())
                .put("data_source", r.getDataSource()).put("samples_total", r.getSamplesTotal())
                .put("generated_at_us", r.getGeneratedAtUs());
            o.put("prefill", r.getPrefill() == null ? null : r.getPrefill().getPoint().getLabel());
            o.put("decode", r.getDecode() == null ? null : r.getDecode().getPoint().getLabel());
        });
        return a;
    }

    private RecommendationKey find(final String deployment, final String profile) {
        for (final RecommendationKey k : client.all().keySet()) {
            if (SafeNames.deployment(k.getDeployment()).equals(deployment) && k.getProfile().equals(profile)) {
                return k;
            }
        }
        throw new ApiError(404, "no recommendation for deployment '" + deployment + "' and profile '" + profile
            + "'");
    }

    /** Every bucket of the key's deployment, sorted by role, GPUs, mapping, in-flight, ISL. */
    private ArrayNode stats(final RecommendationKey key) {
        final List<MappingLoadStats> rows = new ArrayList<>();
        ui.stats().all().forEach((k, v) -> {
            if (k.getDeployment().equals(key.getDeployment())) {
                rows.add(v);
            }
        });
        rows.sort(Comparator.<MappingLoadStats, String>comparing(m -> m.getRole().name())
            .thenComparingInt(m -> m.getMapping().getGpus()).thenComparing(m -> m.getMapping().getStrategy().name())
            .thenComparingInt(MappingLoadStats::getInFlight).thenComparingInt(MappingLoadStats::getIsl));
        final ArrayNode a = JSON.createArrayNode();
        for (final MappingLoadStats m : rows) {
            final ObjectNode o = a.addObject().put("role", m.getRole().name())
                .put("mapping", Mappings.label(m.getMapping())).put("in_flight", m.getInFlight())
                .put("isl", m.getIsl()).put("ok", m.getOkCount()).put("warmup", m.getWarmupCount())
                .put("failed", m.getFailedCount()).put("simulated", m.getSimulated())
                .put("last_event_us", m.getLastEventUs());
            metric(o.putObject("ttft"), m.getTtft());
            metric(o.putObject("itl"), m.getItl());
        }
        return a;
    }

    private static void metric(final ObjectNode o, final MetricStats s) {
        o.put("count", s.getCount()).put("mean_ms", s.getMeanMs()).put("p50_ms", s.getP50Ms())
            .put("p90_ms", s.getP90Ms()).put("p99_ms", s.getP99Ms());
    }

    /**
     * The DynamoGraphDeployment of a choice: the named prefill mapping and decode mapping (and in-flight point)
     * put in place of the picks; an omitted side keeps the current pick.
     */
    private ObjectNode config(final Recommendation r, final Map<String, String> q) {
        final Recommendation c = Recommendation.newBuilder(r).build();
        if (q.containsKey("prefill")) {
            c.setPrefill(new Pick(point(r.getPrefillPoints(), q.get("prefill"), null), true, "preview", "BUCKET"));
        }
        if (q.containsKey("decode")) {
            final Integer n = q.containsKey("in_flight") ? (int) number(q, "in_flight") : null;
            c.setDecode(new Pick(point(r.getDecodePoints(), q.get("decode"), n), true, "preview", "BUCKET"));
        }
        final int gpusPerNode = ui == null ? DgdYaml.DEFAULT_GPUS_PER_NODE : ui.gpusPerNode();
        // A v1beta1 profile previews its own dialect; a preview of other engines than the mode's pick deploys one
        // worker of each, as a pin does.
        final boolean v1beta1 = "v1beta1".equals(r.getSla().getDynamoApi());
        if (v1beta1 && (q.containsKey("prefill") || q.containsKey("decode"))) {
            c.setModePick(null);
        }
        try {
            final String yaml = OutputWriter.YAML.writeValueAsString(v1beta1 && c.getPrefill() != null
                && c.getDecode() != null ? DynamoV1beta1.deployment(c, DynamoV1beta1.choice(c), gpusPerNode, null, null)
                : DgdYaml.deployment(c, gpusPerNode));
            return JSON.createObjectNode().put("prefill", c.getPrefill() == null ? null
                : c.getPrefill().getPoint().getLabel()).put("decode", c.getDecode() == null ? null
                : c.getDecode().getPoint().getLabel()).put("yaml", yaml);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PerfPoint point(final List<PerfPoint> points, final String label,
                                   final Integer inFlight) {
        for (final PerfPoint p : points) {
            if (p.getLabel().equals(label) && (inFlight == null || p.getInFlight() == inFlight)) {
                return p;
            }
        }
        throw new ApiError(404, "no point " + label + (inFlight == null ? "" : " at " + inFlight + " in flight")
            + " in this recommendation");
    }

    /**
     * POST pins a choice, DELETE unpins. Only JSON bodies are taken (a cross-site form cannot send one without a
     * CORS preflight, which this server never grants), and labels must name points of the current snapshot.
     */
    private ObjectNode pin(final HttpExchange ex, final RecommendationKey key) throws IOException {
        final String method = ex.getRequestMethod();
        if ("DELETE".equals(method)) {
            final var md = ui.selections().publish(key, null);
            return JSON.createObjectNode().put("pinned", false).put("offset", md.offset());
        }
        if (!"POST".equals(method)) {
            throw new ApiError(405, "use POST to pin and DELETE to unpin");
        }
        final String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "send the pin as application/json");
        }
        final JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            body = JSON.readTree(in.readNBytes(64 * 1024));
        } catch (final JsonProcessingException e) {
            throw new ApiError(400, "the pin is not valid JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "the pin must be a JSON object");
        }
        final Recommendation r = client.latest(key).orElseThrow();
        final String pre = text(body, "prefill_label");
        final String dec = text(body, "decode_label");
        final Integer n = body.hasNonNull("decode_in_flight") ? body.get("decode_in_flight").asInt() : null;
        if (pre == null && dec == null) {
            throw new ApiError(400, "name prefill_label, decode_label or both");
        }
        if (pre != null) {
            point(r.getPrefillPoints(), pre, null);
        }
        if (dec != null) {
            point(r.getDecodePoints(), dec, n);
        }
        final String who = AccessPolicy.principal();
        final var pin = new PinnedChoice(pre, dec, dec == null ? null : n, System.currentTimeMillis() * 1000,
            who == null ? AccessPolicy.SAME_ORIGIN_PAGE : who);
        final var md = ui.selections().publish(key, pin);
        return JSON.createObjectNode().put("pinned", true).put("prefill_label", pre).put("decode_label", dec)
            .put("decode_in_flight", n).put("pinned_by", pin.getPinnedBy()).put("pinned_at_us", pin.getPinnedAtUs())
            .put("offset", md.offset());
    }

    private static String text(final JsonNode body, final String field) {
        final var v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().length() > 64) {
            throw new ApiError(400, "'" + field + "' must be a mapping label such as TP=2");
        }
        return v.asText();
    }

    private static ObjectNode tables(final Recommendation r) {
        final ObjectNode o = JSON.createObjectNode();
        o.set("prefill", r.getPrefillTable() == null ? null : AvroJson.toJson(r.getPrefillTable()));
        o.set("decode", r.getDecodeTable() == null ? null : AvroJson.toJson(r.getDecodeTable()));
        return o;
    }

    /**
     * The planner grids: the prefill spline sampled at 100 ISLs and the 100 x 100 decode grid, [iy][ix];
     * {@code method=dynamo} gives Dynamo's Clough-Tocher grid on raw coordinates instead, with its measured condition
     * and the ill-conditioned flag.
     */
    private static ObjectNode grids(final PlannerView v, final String method) {
        if (!method.equals("default") && !method.equals("dynamo")) {
            throw new ApiError(400, "method must be default or dynamo, got '" + method + "'");
        }
        final ObjectNode o = JSON.createObjectNode();
        try {
            final var t = v.recommendation().getPrefillTable();
            final double lo = t.getPrefillIsl().get(0);
            final double hi = t.getPrefillIsl().get(t.getPrefillIsl().size() - 1);
            final ObjectNode pre = o.putObject("prefill");
            final ArrayNode isl = pre.putArray("isl");
            final ArrayNode ttft = pre.putArray("ttft_ms");
            final ArrayNode thpt = pre.putArray("thpt_per_gpu");
            for (int k = 0; k < 100; k++) {
                final double x = lo + (hi - lo) * k / 99;
                isl.add(x);
                ttft.add(v.prefill().interpolateTtft(x));
                thpt.add(v.prefill().interpolateThptPerGpu(x));
            }
        } catch (final IllegalStateException e) {
            o.putObject("prefill").put("error", e.getMessage());
        }
        try {
            final var g = method.equals("dynamo") ? v.dynamoGrid().grid() : v.grid();
            final ObjectNode dec = o.putObject("decode").put("method", method.equals("dynamo")
                ? "Clough-Tocher on raw coordinates (Dynamo's griddata cubic) + nearest fill"
                : "model + row-interpolated residuals");
            if (method.equals("dynamo")) {
                dec.put("condition", v.dynamoGrid().condition()).put("ill_conditioned", v.dynamoGrid().illConditioned());
            }
            final ArrayNode xi = dec.putArray("xi_kv_usage");
            final ArrayNode yi = dec.putArray("yi_context_length");
            for (int i = 0; i < g.xi().length; i++) {
                xi.add(g.xi()[i]);
                yi.add(g.yi()[i]);
            }
            final ArrayNode itl = dec.putArray("itl_ms");
            final ArrayNode thpt = dec.putArray("thpt_per_gpu");
            final ArrayNode ext = dec.putArray("extrapolated");
            for (int iy = 0; iy < g.yi().length; iy++) {
                final ArrayNode a = itl.addArray();
                final ArrayNode b = thpt.addArray();
                final ArrayNode c = ext.addArray();
                for (int ix = 0; ix < g.xi().length; ix++) {
                    a.add(g.itl()[iy][ix]);
                    b.add(g.thpt()[iy][ix]);
                    c.add(g.extrapolated()[iy][ix]);
                }
            }
        } catch (final IllegalStateException e) {
            o.putObject("decode").put("error", e.getMessage());
        }
        return o;
    }

    private static ObjectNode query(final PlannerView v, final String kind, final Map<String, String> q) {
        try {
            switch (kind) {
                case "prefill" -> {
                    final double isl = number(q, "isl");
                    return JSON.createObjectNode().put("isl", isl).put("ttft_ms", v.prefill().interpolateTtft(isl))
                        .put("thpt_per_gpu", v.prefill().interpolateThptPerGpu(isl));
                }
                case "decode" -> {
                    final double n = number(q, "in_flight");
                    final double ctx = number(q, "context");
                    final DecodeInterpolator d = v.decode();
                    return JSON.createObjectNode().put("in_flight", n).put("context", ctx)
                        .put("itl_ms", d.interpolateItl(n, ctx)).put("thpt_per_gpu", d.interpolateThptPerGpu(n, ctx))
                        .put("extrapolated", d.extrapolated(n, ctx));
                }
                case "best" -> {
                    final double itl = number(q, "itl");
                    final double ctx = number(q, "context");
                    final DecodeInterpolator.Best b = v.decode().findBestThroughputPerGpu(itl, ctx);
                    return JSON.createObjectNode().put("itl_target_ms", itl).put("context", ctx)
                        .put("thpt_per_gpu", b.thptPerGpu()).put("itl_ms", b.itlMs()).put("kv_usage", b.kvUsage());
                }
                case "planner" -> {
                    return plannerQuery(v.recommendation(), q);
                }
                default -> throw new ApiError(404, "unknown query '" + kind + "' (prefill, decode, best, planner)");
            }
        } catch (final IllegalStateException e) {
            throw new ApiError(409, e.getMessage());
        }
    }

    /**
     * What Dynamo 1.x's planner concludes from this profile (its own linear fits, interop spec section 4): the
     * per-replica request capacity of a prefill engine at an ISL, and the best decode batch within the ITL target
     * for an ISL and OSL (defaults: the profile's).
     */
    private static ObjectNode plannerQuery(final Recommendation r, final Map<String, String> q) {
        if (r.getPrefillTable() == null || r.getDecodeTable() == null) {
            throw new ApiError(409, "the profile has no tables yet");
        }
        final double isl = q.containsKey("isl") ? number(q, "isl") : r.getSla().getIsl();
        final double osl = q.containsKey("osl") ? number(q, "osl") : r.getSla().getOsl();
        final double itl = q.containsKey("itl") ? number(q, "itl") : r.getSla().getItlMs();
        final PlannerRegression.Prefill pf = PlannerRegression.prefill(r.getPrefillTable());
        final PlannerRegression.Decode df = PlannerRegression.decode(r.getDecodeTable());
        final ObjectNode out = JSON.createObjectNode().put("isl", isl).put("osl", osl).put("itl_target_ms", itl);
        final ObjectNode p = out.putObject("prefill").put("ready", pf.ready()).put("points", pf.points());
        if (pf.ready()) {
            final PlannerRegression.PrefillCapacity c = PlannerRegression.prefillCapacity(pf, isl);
            p.put("wall_time_s_intercept", pf.a()).put("wall_time_s_per_token", pf.b())
                .put("requests_per_s_per_replica", c.requestsPerS()).put("ttft_ms", c.ttftMs());
        } else {
            p.put("reason", pf.reason());
        }
        final ObjectNode d = out.putObject("decode").put("ready", df.ready()).put("points", df.points());
        if (df.ready()) {
            final PlannerRegression.DecodeCapacity c = PlannerRegression.decodeCapacity(df, isl, osl, itl,
                r.getDecodeTable().getMaxKvTokens());
            d.put("wall_time_s_intercept", df.a()).put("wall_time_s_per_request", df.b1())
                .put("wall_time_s_per_kv_token", df.b2()).put("max_batch", c.maxBatch()).put("best_batch", c.batch())
                .put("itl_ms", c.itlMs()).put("requests_per_s_per_replica", c.requestsPerS());
        } else {
            d.put("reason", df.reason());
        }
        return out;
    }

    private static double number(final Map<String, String> q, final String name) {
        final String v = q.get(name);
        if (v == null) {
            throw new ApiError(400, "missing query parameter '" + name + "'");
        }
        try {
            final double d = Double.parseDouble(v);
            if (!Double.isFinite(d) || d < 0) {
                throw new ApiError(400, "parameter '" + name + "' must be a finite number >= 0, got '" + v + "'");
            }
            return d;
        } catch (final NumberFormatException e) {
            throw new ApiError(400, "parameter '" + name + "' is not a number: '" + v + "'");
        }
    }

    private static Map<String, String> query(final String raw) {
        final Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (final String kv : raw.split("&")) {
            final int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private void metrics(final HttpExchange ex) throws IOException {
        final StringBuilder sb = new StringBuilder();
        sb.append("# HELP slaprof_recommendations Recommendation snapshots held.\n")
            .append("# TYPE slaprof_recommendations gauge\nslaprof_recommendations ").append(client.all().size())
            .append('\n');
        sb.append("# HELP slaprof_recommendation_age_seconds Seconds since the recommendation was computed.\n")
            .append("# TYPE slaprof_recommendation_age_seconds gauge\n");
        final double now = System.currentTimeMillis() / 1000.0;
        client.all().forEach((k, r) -> sb.append("slaprof_recommendation_age_seconds{deployment=\"")
            .append(SafeNames.deployment(k.getDeployment())).append("\",profile=\"")
            .append(SafeNames.segment(k.getProfile())).append("\"} ")
            .append(String.format(Locale.ROOT, "%.3f", now - r.getGeneratedAtUs() / 1e6)).append('\n'));
        Optional.ofNullable(counters).map(Supplier::get).orElse(Map.of()).forEach((name, v) -> sb.append("# TYPE ")
            .append(name).append(" gauge\n").append(name).append(' ').append(v).append('\n'));
        surface.policy().counters().forEach((name, v) -> sb.append("# TYPE ").append(name)
            .append(name.endsWith("_total") ? " counter\n" : " gauge\n").append(name).append(' ').append(v)
            .append('\n'));
        LoopbackHttp.send(ex, 200, "text/plain; version=0.0.4", sb.toString().getBytes(StandardCharsets.UTF_8));
        ex.close();
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
