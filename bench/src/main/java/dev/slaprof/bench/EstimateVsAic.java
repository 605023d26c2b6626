package dev.slaprof.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.accuracy.AicEstimator;
import dev.slaprof.domain.recommend.PickRule;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.Strategy;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * slaprof's virtual-time points beside AI Configurator's estimates of the same points ({@code slaprof
 * bench-estimate}): TTFT at the SLA ISL for every prefill TP mapping, TPOT at every decode point's in-flight count,
 * each side's picks under Dynamo's rule, and the points where the two differ by more than {@link #FLAG}.
 *
 * @param model   slaprof's model id
 * @param gpuType slaprof's GPU name
 * @param isl     the SLA's prompt length
 * @param osl     the SLA's output length
 * @param ttftMs  the TTFT target
 * @param itlMs   the ITL target
 */
public record EstimateVsAic(String model, String gpuType, int isl, int osl, double ttftMs, double itlMs) {
    /** A point where the two estimates differ by more than this (relative) is counted and named. */
    public static final double FLAG = 0.15;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The report: the scenario, slaprof's wall time and picks, and for each AIC backend its answers per point, its
     * picks and how far it is from slaprof's points.
     */
    public ObjectNode compare(final Recommendation rec, final double slaprofWall, final String command,
                              final Path python, final List<String> backends, final Path dir) throws Exception {
        final String system = AicEstimator.system(gpuType);
        final List<PerfPoint> points = new ArrayList<>(rec.getPrefillPoints());
        points.addAll(rec.getDecodePoints());
        final ArrayNode queries = JSON.createArrayNode();
        final List<String> notAsked = new ArrayList<>();
        final List<PerfPoint> asked = new ArrayList<>();
        for (final PerfPoint p : points) {
            if (p.getMapping().getStrategy() != Strategy.TP) {
                notAsked.add(p.getLabel() + " (bench-estimate asks AIC for TP mappings only)");
                continue;
            }
            asked.add(p);
            queries.addObject().put("role", p.getRole().name()).put("tp", p.getMapping().getGpus())
                .put("batch", p.getInFlight()).put("isl", p.getIsl());
        }
        final ObjectNode report = JSON.createObjectNode();
        report.putObject("scenario").put("model", model).put("gpu_type", gpuType).put("aic_system", system)
            .put("isl", isl).put("osl", osl).put("ttft_ms", ttftMs).put("itl_ms", itlMs);
        report.putObject("slaprof").put("wall_s", slaprofWall).put("command", command)
            .put("prefill_pick", describe(rec.getPrefill())).put("decode_pick", describe(rec.getDecode()));
        final ArrayNode rows = report.putArray("points");
        for (final PerfPoint p : asked) {
            rows.addObject().put("role", p.getRole().name()).put("mapping", Mappings.label(p.getMapping()))
                .put("in_flight", p.getInFlight()).put("isl", p.getIsl()).put("slaprof_ms", p.getLatencyMs())
                .put("slaprof_thpt_per_gpu", steadyThpt(p.getRole(), p.getIsl(), p.getInFlight(), p.getLatencyMs(),
                    p.getMapping().getGpus()))
                .putObject("aic");
        }
        final ObjectNode aicReport = report.putObject("aic");
        for (final String b : backends) {
            final ObjectNode request = JSON.createObjectNode().put("model", AicEstimator.model(model))
                .put("system", system).put("backend", b).put("isl", isl).put("osl", osl);
            request.set("points", queries);
            final long t1 = System.nanoTime();
            final JsonNode aic = AicEstimator.estimate(python, request, dir, b);
            aicReport.set(b, backend(b, aic, (System.nanoTime() - t1) / 1e9, asked, rows));
        }
        report.set("not_asked", JSON.valueToTree(notAsked));
        return report;
    }

    /** One backend's answers beside slaprof's points: per-point differences into {@code rows}, picks and counts. */
    private ObjectNode backend(final String backend, final JsonNode aic, final double wall,
                               final List<PerfPoint> asked, final ArrayNode rows) {
        final List<PerfPoint> aicPrefill = new ArrayList<>();
        final List<PerfPoint> aicDecode = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        int flagged = 0;
        double worst = 0;
        for (int i = 0; i < asked.size(); i++) {
            final PerfPoint p = asked.get(i);
            final JsonNode a = aic.path("points").path(i);
            final Mapping m = p.getMapping();
            final ObjectNode cell = (ObjectNode) rows.get(i).path("aic");
            if (a.has("error") || !a.has("latency_ms")) {
                final String why = a.path("error").asText("no answer");
                refused.add(Mappings.label(m) + " " + p.getRole() + " @" + p.getInFlight() + ": " + why);
                cell.putObject(backend).put("error", why);
                continue;
            }
            final double theirs = a.path("latency_ms").asDouble();
            final double diff = p.getLatencyMs() / theirs - 1;
            final double thpt = steadyThpt(p.getRole(), p.getIsl(), p.getInFlight(), theirs, m.getGpus());
            cell.putObject(backend).put("ms", theirs).put("thpt_per_gpu", thpt).put("diff_pct", diff * 100);
            worst = Math.max(worst, Math.abs(diff));
            if (Math.abs(diff) > FLAG) {
                flagged++;
            }
            (p.getRole() == Role.PREFILL ? aicPrefill : aicDecode).add(PerfPoint.newBuilder(p).setLatencyMs(theirs)
                .setThptPerGpu(thpt).setSamples(1).setCiLowMs(theirs).setCiHighMs(theirs).build());
        }
        final List<String> warnings = new ArrayList<>();
        final Pick ap = PickRule.pick(aicPrefill, ttftMs, "TTFT", null, warnings);
        final Pick ad = PickRule.pick(aicDecode, itlMs, "ITL", null, warnings);
        final ObjectNode o = JSON.createObjectNode().put("version", aic.path("aic_version").asText())
            .put("backend_version", aic.path("backend_version").asText()).put("wall_s", wall)
            .put("estimate_s", aic.path("seconds").asDouble())
            .put("prefill_pick", describe(ap)).put("decode_pick", describe(ad))
            .put("points_compared", asked.size() - refused.size()).put("points_over_15_pct", flagged)
            .put("largest_abs_diff_pct", worst * 100);
        o.set("refused", JSON.valueToTree(refused));
        o.set("pick_warnings", JSON.valueToTree(warnings));
        return o;
    }

    /** Tokens/s/GPU by the steady-state formulas, the same for both sides: ISL/TTFT, or in-flight/ITL. */
    public static double steadyThpt(final Role role, final int isl, final int inFlight, final double latencyMs,
                                    final int gpus) {
        return (role == Role.PREFILL ? isl : inFlight) * 1000.0 / latencyMs / gpus;
    }

    /** The report as a table: one line per point, then each side's wall time and picks. */
    public static void print(final PrintStream out, final JsonNode r, final List<String> backends) {
        final StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%n%-7s %-6s %6s %11s", "role", "map",
            "inflt", "slaprof ms"));
        for (final String b : backends) {
            head.append(String.format(Locale.ROOT, " %11s %7s", "AIC " + b, "diff %"));
        }
        out.println(head);
        for (final JsonNode p : r.path("points")) {
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-7s %-6s %6d %11.2f",
                p.path("role").asText(), p.path("mapping").asText(), p.path("in_flight").asInt(),
                p.path("slaprof_ms").asDouble()));
            for (final String b : backends) {
                final JsonNode c = p.path("aic").path(b);
                line.append(c.has("error") ? String.format(Locale.ROOT, " %11s %7s", "refused", "-")
                    : String.format(Locale.ROOT, " %11.2f %+7.1f", c.path("ms").asDouble(), c.path("diff_pct").asDouble()));
            }
            out.println(line);
        }
        out.printf(Locale.ROOT, "%nslaprof run (virtual time: broker, topology, sweep, files): %.1f s wall; picks "
                + "(Dynamo's rule, TTFT <= %.0f ms, ITL <= %.0f ms): prefill %s, decode %s%n",
            r.at("/slaprof/wall_s").asDouble(), r.at("/scenario/ttft_ms").asDouble(), r.at("/scenario/itl_ms").asDouble(),
            r.at("/slaprof/prefill_pick").asText(), r.at("/slaprof/decode_pick").asText());
        for (final String b : backends) {
            final JsonNode a = r.path("aic").path(b);
            out.printf(Locale.ROOT, "AI Configurator %s, %s %s: %.1f s wall (%.1f s estimating) for %d points; picks "
                    + "prefill %s, decode %s; %d of %d points differ by more than 15 %%, largest |diff| %.1f %%%s%n",
                a.path("version").asText(), b, a.path("backend_version").asText(), a.path("wall_s").asDouble(),
                a.path("estimate_s").asDouble(), r.path("points").size(), a.path("prefill_pick").asText(),
                a.path("decode_pick").asText(), a.path("points_over_15_pct").asInt(), a.path("points_compared").asInt(),
                a.path("largest_abs_diff_pct").asDouble(),
                a.path("refused").isEmpty() ? "" : "; refused: " + a.path("refused"));
        }
        if (!r.path("not_asked").isEmpty()) {
            out.println("not asked of AIC: " + r.path("not_asked"));
        }
    }

    private static String describe(final Pick p) {
        if (p == null || p.getPoint() == null) {
            return "none";
        }
        final PerfPoint pt = p.getPoint();
        return pt.getLabel() + (pt.getRole() == Role.DECODE ? " @" + pt.getInFlight() : "")
            + (p.getFeasible() ? "" : " (misses the SLA)");
    }
}
