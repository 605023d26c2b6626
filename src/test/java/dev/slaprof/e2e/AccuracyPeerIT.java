package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code slaprof accuracy} on the measured rows the pinned aiconfigurator-core ships (silicon_sample.csv), beside
 * AI Configurator 0.12.0's own estimate of the same rows: a stratified subset (the first row of each group), so CI
 * asks AIC about a hundred rows. The JSON lets anyone recompute the errors; this test does, for every group.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class AccuracyPeerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldReplayEveryGroupBesideAiConfiguratorAndListWhatItSkipped() throws Exception {
        final String python = Python.peers();
        final Path dir = Files.createTempDirectory("accuracy-it");
        final Path json = dir.resolve("accuracy.json");
        final CliRunner.Outcome o = CliRunner.run("accuracy", "--peers-python", python, "--per-group", "1", "--aic",
            "--aic-cache", dir.resolve("aic.jsonl").toString(), "--json", json.toString());
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("accuracy: replayed ", "accuracy: AI Configurator 0.12.0: 0 of ",
            "accuracy: picks: in ");
        final JsonNode r = JSON.readTree(json.toFile());
        assertThat(r.path("groups").size()).isGreaterThan(50);
        // Every row chosen is replayed, skipped with a reason, or refused while reading: none is lost.
        int skipped = 0;
        for (final JsonNode n : r.path("skipped")) {
            skipped += n.asInt();
        }
        final int chosen = Integer.parseInt(o.output().replaceAll("(?s).*replaying (\\d+) \\(the first 1.*", "$1"));
        assertThat(r.path("rows").size() + skipped).isEqualTo(chosen);
        // The rows recompute each group's errors below the knee, slaprof's and AIC's on the rows AIC estimated.
        final Map<String, double[]> sums = new HashMap<>();
        for (final JsonNode row : r.path("rows")) {
            final double[] acc = sums.computeIfAbsent(row.path("group").asText(), k -> new double[6]);
            if (!row.path("past_knee").asBoolean()) {
                acc[0] += Math.abs(row.path("ttft_ms_est").asDouble() / row.path("ttft_ms").asDouble() - 1) * 100;
                acc[1] += Math.abs(row.path("tpot_ms_est").asDouble() / row.path("tpot_ms").asDouble() - 1) * 100;
                acc[2]++;
            }
            if (row.has("aic_ttft_ms")) {
                acc[3] += Math.abs(row.path("aic_ttft_ms").asDouble() / row.path("ttft_ms").asDouble() - 1) * 100;
                acc[4] += Math.abs(row.path("aic_tpot_ms").asDouble() / row.path("tpot_ms").asDouble() - 1) * 100;
                acc[5]++;
            }
        }
        int aicRows = 0;
        for (final JsonNode g : r.path("groups")) {
            final double[] acc = sums.get(g.path("group").asText());
            assertThat(acc).as(g.path("group").asText()).isNotNull();
            assertThat(g.path("rows").asInt()).isEqualTo((int) acc[2]);
            if (acc[2] > 0) {
                assertThat(g.path("ttft_mape").asDouble()).isCloseTo(acc[0] / acc[2], within(1e-9));
                assertThat(g.path("tpot_mape").asDouble()).isCloseTo(acc[1] / acc[2], within(1e-9));
            }
            assertThat(g.path("aic_rows").asInt()).isEqualTo((int) acc[5]);
            if (acc[5] > 0) {
                assertThat(g.path("aic_ttft_mape").asDouble()).isCloseTo(acc[3] / acc[5], within(1e-9));
                assertThat(g.path("aic_tpot_mape").asDouble()).isCloseTo(acc[4] / acc[5], within(1e-9));
            }
            aicRows += (int) acc[5];
        }
        assertThat(aicRows).as("AIC estimated some rows of the subset").isPositive();
        // One row per group measures one mapping per group: no group has the three the pick comparison needs.
        assertThat(r.path("picks").path("groups").asInt()).isZero();
        System.out.printf("accuracy (first row of each group): %d rows replayed, %d skipped, %d groups, AIC on %d; "
            + "picks agree in %d of %d groups%n", r.path("rows").size(), skipped, r.path("groups").size(), aicRows,
            r.path("picks").path("agree").asInt(), r.path("picks").path("groups").asInt());
    }

    @Test
    void shouldRefuseABadRowNamingItsLineAndColumnAndGoOnWithTheOthers() throws Exception {
        final Path csv = Files.createTempDirectory("accuracy-bad").resolve("measured.csv");
        final String header = "id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,"
            + "gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
            + "silicon_ttft_ms,silicon_tpot_ms\n";
        final String good = "ok1,db-dump/x; silicon_concurrency=8,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1024,256,"
            + "fp8,,8,2,1,1,,,120.5,9.25\n";
        Files.writeString(csv, header + good
            + "bad1,db-dump/x; silicon_concurrency=8,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1k,256,,,8,2,1,1,,,120,9\n"
            + "bad2,db-dump/x; silicon_concurrency=8,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1024,256,,,8,2,1,1,,,-5,9\n"
            + "bad3,db-dump/x; silicon_concurrency=8,vllm,,Qwen/Qwen3-32B,x100_sxm,fp8,agg,1024,256,,,8,2,1,1,,,50,9\n"
            + good.replace("ok1", "ok2"));
        final CliRunner.Outcome o = CliRunner.run("accuracy", "--measured", csv.toString());
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("accuracy: replayed 2 of 5 rows")
            .contains(csv + ":3 column isl: '1k' is not a number")
            .contains(csv + ":4 column silicon_ttft_ms: negative latency -5")
            .contains("1  unknown system: x100_sxm (known: ");
        assertThat(o.output()).contains("Qwen/Qwen3-32B | h100_sxm | vllm | fp8 | agg");
    }

    /**
     * The README's {@code ./slaprof calibrate --logo} on three vLLM/Hopper groups of the installed sample (eight rows
     * each): a fit per held-out group, each group's error under the fit that never saw it, the fitted file written.
     */
    @Test
    void shouldFitLeaveOneGroupOutAsTheReadmesCalibrateCommand() throws Exception {
        final String python = Python.peers();
        final Path dir = Files.createTempDirectory("calibrate-logo-it");
        final Path subset = dir.resolve("subset.csv");
        Python.runWith(python, String.join("\n",
            "import csv, os, sys, aiconfigurator_core",
            "src = os.path.join(os.path.dirname(aiconfigurator_core.__file__), 'systems', 'silicon_sample.csv')",
            "groups = {('MiniMaxAI/MiniMax-M2.5', 'h200_sxm'), ('meta-llama/Llama-3.1-70B', 'h200_sxm'),",
            "          ('meta-llama/Llama-3.1-70B', 'h100_sxm')}",
            "rows = list(csv.DictReader(open(src)))",
            "keep, seen = [], {}",
            "for r in rows:",
            "    g = (r['model_path'], r['system'])",
            "    if g in groups and r['backend'] == 'vllm' and r['precision'] == 'fp8' and r['mode'] == 'agg' \\",
            "            and seen.get(g, 0) < 8:",
            "        seen[g] = seen.get(g, 0) + 1",
            "        keep.append(r)",
            "w = csv.DictWriter(open(sys.argv[1], 'w', newline=''), fieldnames=rows[0].keys())",
            "w.writeheader()",
            "w.writerows(keep)",
            "print(len(keep))"), subset.toString());
        final Path logo = dir.resolve("logo.json");
        final Path fitted = dir.resolve("perf-model.fitted.yaml");
        final CliRunner.Outcome o = CliRunner.run("calibrate", "--measured", subset.toString(), "--logo",
            "--max-eval", "20", "--json", dir.resolve("calibration.json").toString(), "--logo-json", logo.toString(),
            "--write", fitted.toString());
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("calibrate: vllm/hopper fitted on 24 rows", "fold 3/3",
            "leave-one-group-out, below the knee: ");
        assertThat(fitted).isRegularFile();
        final JsonNode r = JSON.readTree(logo.toFile());
        assertThat(r.path("groups").size()).isEqualTo(3);
        assertThat(r.path("rows").size()).isEqualTo(24);
    }
}
