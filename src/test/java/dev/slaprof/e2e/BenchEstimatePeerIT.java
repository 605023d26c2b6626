package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code slaprof bench-estimate} against the pinned AI Configurator: the virtual-time run and AIC's estimates of the
 * same points in one invocation. AIC's answers in the table are checked against AIC's own command line for one
 * prefill and one decode point, so the table shows what AIC says, not what a wrapper made of it.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BenchEstimatePeerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldPutAiConfiguratorsEstimatesBesideTheVirtualRun() throws Exception {
        final String python = Python.peers();
        final Path out = Files.createTempDirectory("bench-estimate-it").resolve("table.json");
        final CliRunner.Outcome o = CliRunner.run("bench-estimate", "--peers-python", python, "--out", out.toString(),
            "--backends", "vllm,trtllm", "--sla-defaults", "v1alpha1");
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("slaprof run (virtual time: broker, topology, sweep, files)")
            .contains("AI Configurator 0.12.0, trtllm");
        final JsonNode r = JSON.readTree(out.toFile());
        assertThat(r.path("not_asked")).as("the default scenario is dense: every mapping is TP").isEmpty();
        int prefill = 0;
        for (final JsonNode p : r.path("points")) {
            prefill += p.path("role").asText().equals("PREFILL") ? 1 : 0;
        }
        assertThat(prefill).as("a TTFT per prefill mapping").isEqualTo(4);
        assertThat(r.path("points").size() - prefill).as("an ITL per decode point").isGreaterThanOrEqualTo(4 * 5);
        for (final String b : List.of("vllm", "trtllm")) {
            final JsonNode a = r.path("aic").path(b);
            assertThat(a.path("version").asText()).isEqualTo("0.12.0");
            assertThat(a.path("refused")).as(b).isEmpty();
            assertThat(a.path("points_compared").asInt()).isEqualTo(r.path("points").size());
            assertThat(a.path("prefill_pick").asText()).isNotEqualTo("none");
            assertThat(a.path("decode_pick").asText()).isNotEqualTo("none");
            for (final JsonNode p : r.path("points")) {
                final JsonNode c = p.path("aic").path(b);
                assertThat(c.path("diff_pct").asDouble()).isCloseTo(
                    (p.path("slaprof_ms").asDouble() / c.path("ms").asDouble() - 1) * 100, within(1e-9));
            }
            System.out.printf("bench-estimate %s: %d points, %d over 15 %%, largest |diff| %.1f %%; slaprof %.1f s, "
                    + "AIC %.1f s%n", b, a.path("points_compared").asInt(), a.path("points_over_15_pct").asInt(),
                a.path("largest_abs_diff_pct").asDouble(), r.at("/slaprof/wall_s").asDouble(), a.path("wall_s").asDouble());
        }

        // AIC's own command line, for one prefill and one decode point of the table.
        final JsonNode p2 = row(r, "PREFILL", "TP=2", 1);
        assertThat(p2.at("/aic/vllm/ms").asDouble()).isCloseTo(aicCli(python, "vllm", "static_ctx", 2, 1, "TTFT"),
            within(0.001));
        final JsonNode d = r.path("points").get(r.path("points").size() - 1);
        final int tp = Integer.parseInt(d.path("mapping").asText().substring(3));
        assertThat(d.at("/aic/trtllm/ms").asDouble()).isCloseTo(aicCli(python, "trtllm", "static_gen", tp,
            d.path("in_flight").asInt(), "TPOT"), within(0.001));
    }

    @Test
    void shouldFitThePerformanceModelToAiConfiguratorWithoutLosingGround() throws Exception {
        final String python = Python.peers();
        final Path dir = Files.createTempDirectory("calibrate-it");
        final Path fitted = dir.resolve("perf-model.yaml");
        final CliRunner.Outcome o = CliRunner.run("calibrate-aic", "--peers-python", python, "--models", "Qwen/Qwen3-8B",
            "--gpus", "H200-SXM", "--prefill-isls", "1000,8000", "--batches", "1,64", "--out",
            dir.resolve("table.json").toString(), "--write", fitted.toString());
        assertThat(o.exitCode()).as(o.output()).isZero();
        final JsonNode r = JSON.readTree(dir.resolve("table.json").toFile());
        assertThat(r.path("refused")).isEmpty();
        assertThat(r.path("points").asInt()).as("2 ISLs and 2 batches on each of TP 1, 2, 4, 8").isEqualTo(16);
        final JsonNode all = r.path("table").get(r.path("table").size() - 1);
        assertThat(all.path("group").asText()).isEqualTo("all");
        assertThat(all.path("after_mean_abs_pct").asDouble()).isLessThan(all.path("before_mean_abs_pct").asDouble());
        // The rows recompute the table: the mean error over them is the table's.
        double sum = 0;
        for (final JsonNode row : r.path("rows")) {
            sum += Math.abs(row.path("after_ms").asDouble() / row.path("aic_ms").asDouble() - 1) * 100;
        }
        assertThat(sum / r.path("rows").size()).isCloseTo(all.path("after_mean_abs_pct").asDouble(), within(1e-9));
        // The fitted file is a catalog's perf-model.yaml as it stands.
        Files.copy(Path.of("../../config/gpus.yaml"), dir.resolve("gpus.yaml"));
        final PerfParams loaded = Catalog.load(dir).params();
        assertThat(loaded.prefillOverheadMs()).isCloseTo(r.at("/after/prefill_overhead_ms").asDouble(), within(1e-12));
        System.out.printf("calibrate-aic: 16 points, mean |error| %.1f %% before, %.1f %% after%n",
            all.path("before_mean_abs_pct").asDouble(), all.path("after_mean_abs_pct").asDouble());
    }

    private static JsonNode row(final JsonNode r, final String role, final String mapping, final int inFlight) {
        for (final JsonNode p : r.path("points")) {
            if (p.path("role").asText().equals(role) && p.path("mapping").asText().equals(mapping)
                && p.path("in_flight").asInt() == inFlight) {
                return p;
            }
        }
        throw new AssertionError("no " + role + " " + mapping + " @" + inFlight + " in " + r.path("points"));
    }

    /** The figure AIC's {@code aiconfigurator cli estimate} prints (3 decimals) for one point of the default scenario. */
    private static double aicCli(final String python, final String backend, final String mode, final int tp,
                                 final int batch, final String label) throws Exception {
        final Path aic = Path.of(python).resolveSibling("aiconfigurator");
        final List<String> cmd = new ArrayList<>(List.of(aic.toString(), "cli", "estimate", "--model-path",
            "Qwen/Qwen3-32B", "--system", "h200_sxm", "--backend", backend, "--estimate-mode", mode, "--isl", "3000",
            "--osl", "500", "--batch-size", Integer.toString(batch), "--tp-size", Integer.toString(tp)));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        final Matcher m = Pattern.compile("^\\s*" + label + ":\\s+([0-9.]+) ms", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
