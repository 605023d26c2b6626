package dev.slaprof.sink;

import dev.slaprof.dynamo.DeploymentDoc;
import dev.slaprof.dynamo.DgdYaml;
import dev.slaprof.dynamo.SafeNames;
import dev.slaprof.dynamo.V1beta1;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.domain.interp.DecodeInterpolator;
import dev.slaprof.domain.recommend.PlannerRegression;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.MetricStats;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The read resources under {@code /api/recommendations}: the list, one recommendation, its tables, its planner
 * grids and queries, its bucket statistics and DGD previews of a choice. A name that matches nothing is 404, a
 * table that cannot answer {@link CannotAnswer} (409).
 */
final class RecommendationResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PlannerClient client;
    /** Bucket statistics for the web UI, or null without it. */
    private final CompactedTopicReader<StatsKey, MappingLoadStats> stats;
    private final int gpusPerNode;

    RecommendationResource(final PlannerClient client, final CompactedTopicReader<StatsKey, MappingLoadStats> stats,
                           final int gpusPerNode) {
        this.client = client;
        this.stats = stats;
        this.gpusPerNode = gpusPerNode;
    }

    /** The latest snapshot of a key, or 404 when it went away since it was listed. */
    Recommendation latest(final RecommendationKey key) {
        return client.latest(key).orElseThrow(() -> new ApiError(404, "the recommendation for " + key.getProfile()
            + " is gone"));
    }

    /** The planner view of a key's latest snapshot, or 404. */
    PlannerView view(final RecommendationKey key) {
        return client.view(key).orElseThrow(() -> new ApiError(404, "the recommendation for " + key.getProfile()
            + " is gone"));
    }

    /** The full recommendation, less the fields named in {@code ?omit=}. */
    ObjectNode recommendation(final RecommendationKey key, final Map<String, String> q) {
        final ObjectNode rec = AvroJson.toJson(latest(key));
        // ?omit=decode_grid,prefill_ttft_spline,...: leave large fields out (the web UI reads the grids from /grids,
        // so it asks without the 10,000-node arrays on every update).
        for (final String field : q.getOrDefault("omit", "").split(",")) {
            rec.remove(field.trim());
        }
        return rec;
    }

    /** GET /api/recommendations: one row per deployment and profile. */
    ArrayNode list() {
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

    /** The key of an output-folder name and a profile, or 404. */
    RecommendationKey find(final String deployment, final String profile) {
        for (final RecommendationKey k : client.all().keySet()) {
            if (SafeNames.deployment(k.getDeployment()).equals(deployment) && k.getProfile().equals(profile)) {
                return k;
            }
        }
        throw new ApiError(404, "no recommendation for deployment '" + deployment + "' and profile '" + profile
            + "'");
    }

    /** Every bucket of the key's deployment, sorted by role, GPUs, mapping, in-flight, ISL. */
    ArrayNode stats(final RecommendationKey key) {
        final List<MappingLoadStats> rows = new ArrayList<>();
        stats.all().forEach((k, v) -> {
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
    ObjectNode config(final Recommendation r, final Map<String, String> q) {
        final Recommendation c = Recommendation.newBuilder(r).build();
        if (q.containsKey("prefill")) {
            c.setPrefill(new Pick(point(r.getPrefillPoints(), q.get("prefill"), null), true, "preview", "BUCKET"));
        }
        if (q.containsKey("decode")) {
            final Integer n = q.containsKey("in_flight") ? (int) QueryParams.number(q, "in_flight") : null;
            c.setDecode(new Pick(point(r.getDecodePoints(), q.get("decode"), n), true, "preview", "BUCKET"));
        }
        // v1beta1 previews its own dialect; other engines than the mode's pick deploy one worker each, as a pin does.
        final boolean v1beta1 = "v1beta1".equals(r.getSla().getDynamoApi());
        if (v1beta1 && (q.containsKey("prefill") || q.containsKey("decode"))) {
            c.setModePick(null);
        }
        try {
            final String yaml = OutputWriter.YAML.writeValueAsString(v1beta1 && c.getPrefill() != null
                && c.getDecode() != null ? DeploymentDoc.deployment(c, V1beta1.choice(c), gpusPerNode, null, null)
                : DgdYaml.deployment(c, gpusPerNode));
            return JSON.createObjectNode().put("prefill", c.getPrefill() == null ? null
                : c.getPrefill().getPoint().getLabel()).put("decode", c.getDecode() == null ? null
                : c.getDecode().getPoint().getLabel()).put("yaml", yaml);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PerfPoint point(final List<PerfPoint> points, final String label,
                                   final Integer inFlight) {
        for (final PerfPoint p : points) {
            if (p.getLabel().equals(label) && (inFlight == null || p.getInFlight() == inFlight)) {
                return p;
            }
        }
        throw new ApiError(404, "no point " + label + (inFlight == null ? "" : " at " + inFlight + " in flight")
            + " in this recommendation");
    }

    static ObjectNode tables(final Recommendation r) {
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
    static ObjectNode grids(final PlannerView v, final String method) {
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
        } catch (final CannotAnswer e) {
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
        } catch (final CannotAnswer e) {
            o.putObject("decode").put("error", e.getMessage());
        }
        return o;
    }

    static ObjectNode query(final PlannerView v, final String kind, final Map<String, String> q) {
        try {
            switch (kind) {
                case "prefill" -> {
                    final double isl = QueryParams.number(q, "isl");
                    return JSON.createObjectNode().put("isl", isl).put("ttft_ms", v.prefill().interpolateTtft(isl))
                        .put("thpt_per_gpu", v.prefill().interpolateThptPerGpu(isl));
                }
                case "decode" -> {
                    final double n = QueryParams.number(q, "in_flight");
                    final double ctx = QueryParams.number(q, "context");
                    final DecodeInterpolator d = v.decode();
                    return JSON.createObjectNode().put("in_flight", n).put("context", ctx)
                        .put("itl_ms", d.interpolateItl(n, ctx)).put("thpt_per_gpu", d.interpolateThptPerGpu(n, ctx))
                        .put("extrapolated", d.extrapolated(n, ctx));
                }
                case "best" -> {
                    final double itl = QueryParams.number(q, "itl");
                    final double ctx = QueryParams.number(q, "context");
                    final DecodeInterpolator.Best b = v.decode().findBestThroughputPerGpu(itl, ctx);
                    return JSON.createObjectNode().put("itl_target_ms", itl).put("context", ctx)
                        .put("thpt_per_gpu", b.thptPerGpu()).put("itl_ms", b.itlMs()).put("kv_usage", b.kvUsage());
                }
                case "planner" -> {
                    return plannerQuery(v.recommendation(), q);
                }
                default -> throw new ApiError(404, "unknown query '" + kind + "' (prefill, decode, best, planner)");
            }
        } catch (final IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    /**
     * What Dynamo 1.x's planner concludes from this profile (its own linear fits, interop spec section 4): the
     * per-replica request capacity of a prefill engine at an ISL, and the best decode batch within the ITL target
     * for an ISL and OSL (defaults: the profile's).
     */
    private static ObjectNode plannerQuery(final Recommendation r, final Map<String, String> q) {
        if (r.getPrefillTable() == null || r.getDecodeTable() == null) {
            throw new CannotAnswer("the profile has no tables yet");
        }
        final double isl = q.containsKey("isl") ? QueryParams.number(q, "isl") : r.getSla().getIsl();
        final double osl = q.containsKey("osl") ? QueryParams.number(q, "osl") : r.getSla().getOsl();
        final double itl = q.containsKey("itl") ? QueryParams.number(q, "itl") : r.getSla().getItlMs();
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
}
