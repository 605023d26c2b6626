package dev.slaprof.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.domain.recommend.PickRule;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.Strategy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof bench-estimate}: slaprof's fast estimate beside AI Configurator's, in one invocation. It runs the
 * virtual-time {@code slaprof run} for a scenario (jitter 0, so each point is the performance model's own), then asks
 * the installed AI Configurator for the same points: TTFT at the SLA ISL for every prefill mapping, and TPOT at every
 * decode point's in-flight count. It prints both wall times, the points side by side, and each side's picks under
 * Dynamo's rule, and writes the table as JSON.
 */
@Command(name = "bench-estimate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "slaprof's virtual-time estimate beside AI Configurator's (the pinned peer): wall times, TTFT, ITL "
        + "and thpt/GPU per mapping at the same points, and the picks of each.")
final class BenchEstimateCommand implements Callable<Integer> {
    /** A point where the two estimates differ by more than this (relative) is counted and named. */
    static final double FLAG = 0.15;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", defaultValue = "Qwen/Qwen3-32B", description = "Model id of config/models/models.yaml.")
    private String model;
    @Option(names = "--gpu-type", defaultValue = "H200-SXM", description = "GPU SKU (config/gpus.yaml).")
    private String gpuType;
    @Option(names = "--backends", defaultValue = "vllm,sglang,trtllm", split = ",", description = "AIC backends to "
        + "ask (slaprof's model has no backend term: one virtual run, labelled with the first, serves them all).")
    private List<String> backends;
    @Mixin
    private SlaOptions sla;
    @Option(names = "--max-num-gpus-per-engine", defaultValue = "8", description = "Largest engine, GPUs.")
    private int maxGpus;
    @Mixin
    private AicPeer.PythonOption peersPython;
    @Option(names = "--out", defaultValue = "target/bench-estimate.json", description = "The table as JSON.")
    private Path outFile;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        sla.validate();
        final String system = AicPeer.system(gpuType);
        final Path python = peersPython.resolve();
        final Path dir = Files.createTempDirectory("bench-estimate-");

        final String backend = backends.get(0);
        out.printf(Locale.ROOT, "bench-estimate: slaprof run (virtual time, jitter 0) for %s on %s, %s%n", model,
            gpuType, backend);
        final List<String> runArgs = List.of("run", "--model", model, "--gpu-type", gpuType, "--backend", backend,
            "--ttft", num(sla.ttftMs()), "--itl", num(sla.itlMs()), "--isl", Integer.toString(sla.isl()),
            "--osl", Integer.toString(sla.osl()), "--statistic", sla.statistic,
            "--max-num-gpus-per-engine", Integer.toString(maxGpus), "--jitter", "0", "--ui-port", "0",
            "--output-dir", dir.resolve("out").toString());
        final long t0 = System.nanoTime();
        final int rc = Main.commandLine().execute(runArgs.toArray(String[]::new));
        final double slaprofWall = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("slaprof run exited " + rc + "; its output is above");
        }
        final JsonNode rec = recommendation(dir.resolve("out"));

        final List<JsonNode> points = new ArrayList<>();
        rec.path("prefill_points").forEach(points::add);
        rec.path("decode_points").forEach(points::add);
        final ArrayNode queries = JSON.createArrayNode();
        final List<String> notAsked = new ArrayList<>();
        final List<JsonNode> asked = new ArrayList<>();
        for (final JsonNode p : points) {
            final Mapping m = Mappings.parse(p.path("label").asText());
            if (m.getStrategy() != Strategy.TP) {
                notAsked.add(p.path("label").asText() + " (bench-estimate asks AIC for TP mappings only)");
                continue;
            }
            asked.add(p);
            queries.addObject().put("role", p.path("role").asText()).put("tp", m.getGpus())
                .put("batch", p.path("in_flight").asInt()).put("isl", p.path("isl").asInt());
        }
        out.printf(Locale.ROOT, "bench-estimate: slaprof done in %.1f s; asking AI Configurator (%s) for %d points%n",
            slaprofWall, String.join(", ", backends), asked.size());
        final ObjectNode report = JSON.createObjectNode();
        report.putObject("scenario").put("model", model).put("gpu_type", gpuType).put("aic_system", system)
            .put("isl", sla.isl()).put("osl", sla.osl()).put("ttft_ms", sla.ttftMs()).put("itl_ms", sla.itlMs());
        report.putObject("slaprof").put("wall_s", slaprofWall).put("command", "slaprof " + String.join(" ", runArgs))
            .put("prefill_pick", pickLabel(rec.path("prefill")))
            .put("decode_pick", pickLabel(rec.path("decode")));
        final ArrayNode rows = report.putArray("points");
        for (final JsonNode p : asked) {
            final Role role = Role.valueOf(p.path("role").asText());
            final Mapping m = Mappings.parse(p.path("label").asText());
            final int inFlight = p.path("in_flight").asInt();
            final double ours = p.path("latency_ms").asDouble();
            rows.addObject().put("role", role.name()).put("mapping", Mappings.label(m)).put("in_flight", inFlight)
                .put("isl", p.path("isl").asInt()).put("slaprof_ms", ours)
                .put("slaprof_thpt_per_gpu", steadyThpt(role, p.path("isl").asInt(), inFlight, ours, m.getGpus()))
                .putObject("aic");
        }
        final ObjectNode aicReport = report.putObject("aic");
        for (final String b : backends) {
            final ObjectNode request = JSON.createObjectNode().put("model", AicPeer.model(model)).put("system", system)
                .put("backend", b).put("isl", sla.isl()).put("osl", sla.osl());
            request.set("points", queries);
            final long t1 = System.nanoTime();
            final JsonNode aic = AicPeer.estimate(python, request, dir, b);
            final double aicWall = (System.nanoTime() - t1) / 1e9;
            aicReport.set(b, compare(b, aic, aicWall, asked, rows));
        }
        report.set("not_asked", JSON.valueToTree(notAsked));

        printTable(out, report, backends);
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        Files.writeString(outFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.println("bench-estimate: wrote " + outFile);
        return 0;
    }

    /** One backend's answers beside slaprof's points: per-point differences into {@code rows}, picks and counts. */
    private ObjectNode compare(final String backend, final JsonNode aic, final double wall, final List<JsonNode> asked,
                               final ArrayNode rows) {
        final List<PerfPoint> aicPrefill = new ArrayList<>();
        final List<PerfPoint> aicDecode = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        int flagged = 0;
        double worst = 0;
        for (int i = 0; i < asked.size(); i++) {
            final JsonNode p = asked.get(i);
            final JsonNode a = aic.path("points").path(i);
            final Role role = Role.valueOf(p.path("role").asText());
            final Mapping m = Mappings.parse(p.path("label").asText());
            final int inFlight = p.path("in_flight").asInt();
            final ObjectNode cell = (ObjectNode) rows.get(i).path("aic");
            if (a.has("error") || !a.has("latency_ms")) {
                final String why = a.path("error").asText("no answer");
                refused.add(Mappings.label(m) + " " + role + " @" + inFlight + ": " + why);
                cell.putObject(backend).put("error", why);
                continue;
            }
            final double theirs = a.path("latency_ms").asDouble();
            final double diff = p.path("latency_ms").asDouble() / theirs - 1;
            final double thpt = steadyThpt(role, p.path("isl").asInt(), inFlight, theirs, m.getGpus());
            cell.putObject(backend).put("ms", theirs).put("thpt_per_gpu", thpt).put("diff_pct", diff * 100);
            worst = Math.max(worst, Math.abs(diff));
            if (Math.abs(diff) > FLAG) {
                flagged++;
            }
            final PerfPoint pp = PerfPoint.newBuilder().setRole(role).setMapping(m).setLabel(Mappings.label(m))
                .setInFlight(inFlight).setIsl(p.path("isl").asInt()).setLatencyMs(theirs).setThptPerGpu(thpt)
                .setSamples(1).setCiLowMs(theirs).setCiHighMs(theirs)
                .setThptMethod(role == Role.PREFILL ? "PREFILL_ISL_OVER_TTFT" : "STEADY_STATE_INFLIGHT_OVER_ITL")
                .build();
            (role == Role.PREFILL ? aicPrefill : aicDecode).add(pp);
        }
        final List<String> warnings = new ArrayList<>();
        final Pick ap = PickRule.pick(aicPrefill, sla.ttftMs(), "TTFT", null, warnings);
        final Pick ad = PickRule.pick(aicDecode, sla.itlMs(), "ITL", null, warnings);
        final ObjectNode o = JSON.createObjectNode().put("version", aic.path("aic_version").asText())
            .put("backend_version", aic.path("backend_version").asText()).put("wall_s", wall)
            .put("estimate_s", aic.path("seconds").asDouble())
            .put("prefill_pick", ap == null ? "none" : describe(ap))
            .put("decode_pick", ad == null ? "none" : describe(ad))
            .put("points_compared", asked.size() - refused.size()).put("points_over_15_pct", flagged)
            .put("largest_abs_diff_pct", worst * 100);
        o.set("refused", JSON.valueToTree(refused));
        o.set("pick_warnings", JSON.valueToTree(warnings));
        return o;
    }

    /** Tokens/s/GPU by the steady-state formulas, the same for both sides: ISL/TTFT, or in-flight/ITL. */
    static double steadyThpt(final Role role, final int isl, final int inFlight, final double latencyMs,
                             final int gpus) {
        return (role == Role.PREFILL ? isl : inFlight) * 1000.0 / latencyMs / gpus;
    }

    private static String pickLabel(final JsonNode pick) {
        final JsonNode point = pick.path("point");
        if (point.isMissingNode() || point.isNull()) {
            return "none";
        }
        return point.path("label").asText() + (point.path("role").asText().equals("DECODE")
            ? " @" + point.path("in_flight").asInt() : "") + (pick.path("feasible").asBoolean() ? ""
            : " (misses the SLA)");
    }

    private static String describe(final Pick p) {
        final PerfPoint pt = p.getPoint();
        return pt.getLabel() + (pt.getRole() == Role.DECODE ? " @" + pt.getInFlight() : "")
            + (p.getFeasible() ? "" : " (misses the SLA)");
    }

    private static JsonNode recommendation(final Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            final List<Path> found = files.filter(f -> f.getFileName().toString().equals("recommendation.json"))
                .toList();
            if (found.size() != 1) {
                throw new IllegalStateException("slaprof run wrote " + found.size() + " recommendation.json files under "
                    + root + ", expected 1");
            }
            return JSON.readTree(found.get(0).toFile());
        }
    }

    private static void printTable(final PrintStream out, final JsonNode r, final List<String> backends) {
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

    private static String num(final double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
