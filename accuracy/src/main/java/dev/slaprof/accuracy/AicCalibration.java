package dev.slaprof.accuracy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.Mappings;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfModel;
import dev.slaprof.simulator.PerfParams;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The performance model's constants fitted to AI Configurator's estimates (the peer comparison of
 * {@code slaprof calibrate-aic}): prefill TTFT at batch 1 over a few ISLs, and the mean ITL of a batch decoding OSL
 * tokens after an ISL prompt (AIC's static_gen TPOT), for every TP engine whose weights and batch fit. The fit
 * minimises the mean squared log ratio (model over AIC) with commons-math's Nelder-Mead from the current constants.
 *
 * @param catalog     the models and GPUs, with the constants the fit starts from
 * @param backend     AIC's backend: vllm, sglang or trtllm
 * @param prefillIsls the prompt lengths of the prefill points
 * @param batches     the batch sizes of the decode points
 * @param isl         the prompt length of the decode points
 * @param osl         the output length of the decode points
 */
public record AicCalibration(Catalog catalog, String backend, List<Integer> prefillIsls, List<Integer> batches,
                             int isl, int osl) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nodes of the midpoint rule over a decode's OSL steps (the step time is piecewise linear in the context). */
    private static final int QUADRATURE = 16;

    /** One estimate of AIC's, where slaprof's model is evaluated too. */
    public record Point(String model, String gpu, int tp, boolean prefill, int isl, int batch, double aicMs) {
    }

    /** AIC's answers, and the points it refused with its reason. */
    public record Answers(List<Point> points, List<String> refused, double seconds) {
    }

    /** Asks the AIC of {@code python} for every point of every model on every GPU (one process per pair). */
    public Answers ask(final Path python, final List<String> models, final List<String> gpus, final Path dir,
                       final PrintStream out) throws Exception {
        final List<Point> points = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        final long t0 = System.nanoTime();
        for (final String m : models) {
            for (final String g : gpus) {
                final ArrayNode queries = JSON.createArrayNode();
                final List<Point> asked = plan(m, g, queries);
                final ObjectNode request = JSON.createObjectNode().put("model", AicEstimator.model(m))
                    .put("system", AicEstimator.system(g)).put("backend", backend).put("isl", isl).put("osl", osl);
                request.set("points", queries);
                out.printf(Locale.ROOT, "calibrate-aic: %s on %s: asking AIC for %d points (%.0f s so far)%n", m, g,
                    asked.size(), (System.nanoTime() - t0) / 1e9);
                final JsonNode answer = AicEstimator.estimate(python, request, dir, m + "-" + g);
                for (int k = 0; k < asked.size(); k++) {
                    final JsonNode a = answer.path("points").path(k);
                    final Point p = asked.get(k);
                    if (a.has("latency_ms") && a.path("latency_ms").asDouble() > 0) {
                        points.add(new Point(p.model(), p.gpu(), p.tp(), p.prefill(), p.isl(), p.batch(),
                            a.path("latency_ms").asDouble()));
                    } else {
                        refused.add(m + " " + g + " TP=" + p.tp() + (p.prefill() ? " prefill ISL " + p.isl()
                            : " decode batch " + p.batch()) + ": " + a.path("error").asText("no answer"));
                    }
                }
            }
        }
        return new Answers(points, refused, (System.nanoTime() - t0) / 1e9);
    }

    /** The points of one model on one GPU, added to {@code queries} in AIC's request format as well. */
    private List<Point> plan(final String m, final String g, final ArrayNode queries) {
        final List<Point> asked = new ArrayList<>();
        for (final int tp : new int[] {1, 2, 4, 8}) {
            final PerfModel pm = new PerfModel(catalog.model(m), catalog.gpu(g), catalog.params(), Mappings.tp(tp));
            if (pm.kvTokens() <= 0) {
                continue;
            }
            for (final int i : prefillIsls) {
                asked.add(new Point(m, g, tp, true, i, 1, 0));
                queries.addObject().put("role", "PREFILL").put("tp", tp).put("batch", 1).put("isl", i);
            }
            for (final int b : batches) {
                if ((long) b * (isl + osl) <= pm.kvTokens()) {
                    asked.add(new Point(m, g, tp, false, isl, b, 0));
                    queries.addObject().put("role", "DECODE").put("tp", tp).put("batch", b).put("isl", isl);
                }
            }
        }
        return asked;
    }

    /** The fitted constants and the report on them. */
    public record Fit(PerfParams after, ObjectNode report) {
    }

    /**
     * Fits the constants to the answers and reports: the constants before and after, the per-group error table
     * ({@code table}) and every point with both predictions ({@code rows}).
     */
    public Fit fit(final Answers answers, final int maxIterations) {
        final List<Point> points = answers.points();
        if (points.isEmpty()) {
            throw new IllegalStateException("AI Configurator answered no point; refused: " + answers.refused());
        }
        final PerfParams before = catalog.params();
        final long f0 = System.nanoTime();
        final PerfParams after = ParamFit.fit(before, ParamFit.allFree(), p -> loss(points, p), maxIterations);
        final ObjectNode report = JSON.createObjectNode().put("backend", backend).put("points", points.size())
            .put("aic_seconds", answers.seconds()).put("fit_seconds", (System.nanoTime() - f0) / 1e9);
        report.set("refused", JSON.valueToTree(answers.refused()));
        report.set("before", JSON.valueToTree(before));
        report.set("after", JSON.valueToTree(after));
        report.set("table", table(points, before, after));
        final ArrayNode rows = report.putArray("rows");
        for (final Point p : points) {
            rows.addObject().put("model", p.model()).put("gpu", p.gpu()).put("tp", p.tp())
                .put("role", p.prefill() ? "PREFILL" : "DECODE").put("isl", p.isl()).put("batch", p.batch())
                .put("aic_ms", p.aicMs()).put("before_ms", predict(before, p)).put("after_ms", predict(after, p));
        }
        return new Fit(after, report);
    }

    /** slaprof's model at an AIC point: TTFT of one prompt, or the mean step time over the OSL steps of a batch. */
    public double predict(final PerfParams params, final Point p) {
        final PerfModel m = new PerfModel(catalog.model(p.model()), catalog.gpu(p.gpu()), params, Mappings.tp(p.tp()));
        if (p.prefill()) {
            return m.prefillMs(p.isl());
        }
        double sum = 0;
        for (int j = 0; j < QUADRATURE; j++) {
            final double k = 1 + (j + 0.5) * (osl - 1) / QUADRATURE;
            sum += m.decodeStepMs(p.batch(), (long) (p.batch() * (p.isl() + k)));
        }
        return sum / QUADRATURE;
    }

    private double loss(final List<Point> points, final PerfParams params) {
        double sum = 0;
        for (final Point p : points) {
            final double r = Math.log(predict(params, p) / p.aicMs());
            sum += r * r;
        }
        return sum / points.size();
    }

    private ArrayNode table(final List<Point> points, final PerfParams before, final PerfParams after) {
        final Map<String, List<Point>> groups = new LinkedHashMap<>();
        for (final Point p : points) {
            groups.computeIfAbsent(p.model() + " | " + p.gpu() + " | " + (p.prefill() ? "prefill TTFT" : "decode ITL"),
                k -> new ArrayList<>()).add(p);
        }
        groups.put("all", points);
        final ArrayNode t = JSON.createArrayNode();
        groups.forEach((k, ps) -> {
            final double[] b = errors(before, ps);
            final double[] a = errors(after, ps);
            t.addObject().put("group", k).put("points", ps.size()).put("before_mean_abs_pct", b[0])
                .put("before_max_abs_pct", b[1]).put("after_mean_abs_pct", a[0]).put("after_max_abs_pct", a[1]);
        });
        return t;
    }

    private double[] errors(final PerfParams params, final List<Point> ps) {
        double sum = 0;
        double max = 0;
        for (final Point p : ps) {
            final double e = Math.abs(predict(params, p) / p.aicMs() - 1) * 100;
            sum += e;
            max = Math.max(max, e);
        }
        return new double[] {sum / ps.size(), max};
    }

    /** The report's table, the constants and AIC's time, as the command prints them. */
    public static void print(final PrintStream out, final JsonNode r) {
        out.printf(Locale.ROOT, "%n%-52s %6s %17s %17s%n", "model | GPU | quantity", "points", "before mean/max %",
            "after mean/max %");
        for (final JsonNode row : r.path("table")) {
            out.printf(Locale.ROOT, "%-52s %6d %8.1f /%7.1f %8.1f /%7.1f%n", row.path("group").asText(),
                row.path("points").asInt(), row.path("before_mean_abs_pct").asDouble(),
                row.path("before_max_abs_pct").asDouble(), row.path("after_mean_abs_pct").asDouble(),
                row.path("after_max_abs_pct").asDouble());
        }
        out.printf(Locale.ROOT, "%nparameters before: %s%nparameters after:  %s%n", r.path("before"), r.path("after"));
        out.printf(Locale.ROOT, "AIC (%s) %.1f s for %d points; fit %.1f s%s%n", r.path("backend").asText(),
            r.path("aic_seconds").asDouble(), r.path("points").asInt(), r.path("fit_seconds").asDouble(),
            r.path("refused").isEmpty() ? "" : "; AIC refused " + r.path("refused").size() + ": " + r.path("refused"));
    }
}
