package dev.slaprof.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slaprof.accuracy.ParamFit;
import dev.slaprof.schema.Mappings;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfModel;
import dev.slaprof.simulator.PerfParams;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof calibrate-aic}: fits the performance model's efficiency factors ({@code config/perf-model.yaml})
 * to the pinned AI Configurator's estimates for the catalog's dense models and the GPUs AIC has, and prints the
 * error table before and after. Prefill: TTFT at batch 1 over a few ISLs; decode: the mean ITL of a batch decoding
 * OSL tokens after an ISL prompt (AIC's static_gen TPOT), for every TP engine whose weights and batch fit. The fit
 * minimises the mean squared log ratio (model over AIC) with commons-math's Nelder-Mead from the current parameters; it writes the
 * fitted file beside the table and never overwrites the bundled one.
 */
@Command(name = "calibrate-aic", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Fit config/perf-model.yaml to AI Configurator's estimates (catalog dense models x GPUs AIC has) "
        + "and print the error table before and after.")
final class CalibrateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nodes of the midpoint rule over a decode's OSL steps (the step time is piecewise linear in the context). */
    private static final int QUADRATURE = 16;

    @Option(names = "--models", split = ",", defaultValue = "Qwen/Qwen3-8B,Qwen/Qwen3-32B,meta-llama/Llama-3.1-70B",
        description = "Catalog models (dense; AIC's MoE shapes need EP settings this command does not send).")
    private List<String> models;
    @Option(names = "--gpus", split = ",", defaultValue = "H100-SXM,H200-SXM,B200", description = "Catalog GPUs.")
    private List<String> gpus;
    @Option(names = "--backend", defaultValue = "vllm", description = "AIC backend: vllm, sglang or trtllm.")
    private String backend;
    @Option(names = "--prefill-isls", split = ",", defaultValue = "1000,3000,8000", description = "Prefill ISLs.")
    private List<Integer> prefillIsls;
    @Option(names = "--batches", split = ",", defaultValue = "1,16,64,256", description = "Decode batch sizes.")
    private List<Integer> batches;
    @Option(names = "--isl", defaultValue = "3000", description = "Prompt length of the decode points.")
    private int isl;
    @Option(names = "--osl", defaultValue = "500", description = "Output length of the decode points.")
    private int osl;
    @Mixin
    private AicPeer.PythonOption peersPython;
    @Option(names = "--out", defaultValue = "target/calibration-aic.json", description = "Points and tables as JSON.")
    private Path outFile;
    @Option(names = "--write", defaultValue = "target/perf-model.fitted.yaml",
        description = "Where the fitted parameters go (copy over config/perf-model.yaml to adopt them).")
    private Path fittedFile;
    @Option(names = "--iterations", defaultValue = "4000", description = "Loss evaluations of the Nelder-Mead fit at most.")
    private int iterations;

    /** One estimate of AIC's, where slaprof's model is evaluated too. */
    record Point(String model, String gpu, int tp, boolean prefill, int isl, int batch, double aicMs) {
    }

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        final Catalog catalog = Catalog.bundled();
        final Path python = peersPython.resolve();
        final Path dir = Files.createTempDirectory("calibrate-aic-");
        final List<Point> points = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        final long t0 = System.nanoTime();
        for (final String m : models) {
            for (final String g : gpus) {
                final ArrayNode queries = JSON.createArrayNode();
                final List<Point> asked = new ArrayList<>();
                for (final int tp : new int[] {1, 2, 4, 8}) {
                    final PerfModel pm = new PerfModel(catalog.model(m), catalog.gpu(g), catalog.params(),
                        Mappings.tp(tp));
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
                final ObjectNode request = JSON.createObjectNode().put("model", AicPeer.model(m))
                    .put("system", AicPeer.system(g)).put("backend", backend).put("isl", isl).put("osl", osl);
                request.set("points", queries);
                out.printf(Locale.ROOT, "calibrate-aic: %s on %s: asking AIC for %d points (%.0f s so far)%n", m, g,
                    asked.size(), (System.nanoTime() - t0) / 1e9);
                final JsonNode answer = AicPeer.estimate(python, request, dir, m + "-" + g);
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
        final double aicSeconds = (System.nanoTime() - t0) / 1e9;
        if (points.isEmpty()) {
            throw new IllegalStateException("AI Configurator answered no point; refused: " + refused);
        }
        final PerfParams before = catalog.params();
        final long f0 = System.nanoTime();
        final PerfParams after = fit(catalog, points, before, iterations);
        final double fitSeconds = (System.nanoTime() - f0) / 1e9;

        final ObjectNode report = JSON.createObjectNode().put("backend", backend).put("points", points.size())
            .put("aic_seconds", aicSeconds).put("fit_seconds", fitSeconds);
        report.set("refused", JSON.valueToTree(refused));
        report.set("before", JSON.valueToTree(before));
        report.set("after", JSON.valueToTree(after));
        report.set("table", table(catalog, points, before, after));
        final ArrayNode rows = report.putArray("rows");
        for (final Point p : points) {
            rows.addObject().put("model", p.model()).put("gpu", p.gpu()).put("tp", p.tp())
                .put("role", p.prefill() ? "PREFILL" : "DECODE").put("isl", p.isl()).put("batch", p.batch())
                .put("aic_ms", p.aicMs()).put("before_ms", predict(catalog, before, p))
                .put("after_ms", predict(catalog, after, p));
        }
        print(out, report);
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        Files.writeString(outFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.createDirectories(fittedFile.toAbsolutePath().getParent());
        Files.writeString(fittedFile, "# Fitted by `slaprof calibrate-aic --backend " + backend + "` to AI Configurator's "
            + "estimates (" + points.size() + " points); see docs/CALIBRATION.md.\n"
            + new ObjectMapper(new YAMLFactory()).writeValueAsString(after).replaceFirst("^---\n", ""));
        out.println("calibrate-aic: wrote " + outFile + " and " + fittedFile);
        return 0;
    }

    /** slaprof's model at an AIC point: TTFT of one prompt, or the mean step time over the OSL steps of a batch. */
    double predict(final Catalog catalog, final PerfParams params, final Point p) {
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

    private double loss(final Catalog catalog, final List<Point> points, final PerfParams params) {
        double sum = 0;
        for (final Point p : points) {
            final double r = Math.log(predict(catalog, params, p) / p.aicMs());
            sum += r * r;
        }
        return sum / points.size();
    }

    /** The constants minimising the mean squared log ratio, with commons-math's Nelder-Mead (every constant free). */
    private PerfParams fit(final Catalog catalog, final List<Point> points, final PerfParams start, final int maxIter) {
        return ParamFit.fit(start, ParamFit.allFree(), p -> loss(catalog, points, p), maxIter);
    }

    private ArrayNode table(final Catalog catalog, final List<Point> points, final PerfParams before,
                            final PerfParams after) {
        final Map<String, List<Point>> groups = new LinkedHashMap<>();
        for (final Point p : points) {
            groups.computeIfAbsent(p.model() + " | " + p.gpu() + " | " + (p.prefill() ? "prefill TTFT" : "decode ITL"),
                k -> new ArrayList<>()).add(p);
        }
        groups.put("all", points);
        final ArrayNode t = JSON.createArrayNode();
        groups.forEach((k, ps) -> {
            final double[] b = errors(catalog, before, ps);
            final double[] a = errors(catalog, after, ps);
            t.addObject().put("group", k).put("points", ps.size()).put("before_mean_abs_pct", b[0])
                .put("before_max_abs_pct", b[1]).put("after_mean_abs_pct", a[0]).put("after_max_abs_pct", a[1]);
        });
        return t;
    }

    private double[] errors(final Catalog catalog, final PerfParams params, final List<Point> ps) {
        double sum = 0;
        double max = 0;
        for (final Point p : ps) {
            final double e = Math.abs(predict(catalog, params, p) / p.aicMs() - 1) * 100;
            sum += e;
            max = Math.max(max, e);
        }
        return new double[] {sum / ps.size(), max};
    }

    private static void print(final PrintStream out, final JsonNode r) {
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
