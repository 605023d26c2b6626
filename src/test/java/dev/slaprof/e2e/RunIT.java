package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code slaprof run} with a small scenario: the summary, the output files, and the npz files read by numpy. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Loads both npz files with numpy and prints keys, dtypes and shapes, then compares them with the JSON forms. */
    private static final String NUMPY_CHECK = String.join("\n",
        "import sys, json, numpy as np",
        "d = sys.argv[1]",
        "p = np.load(d + '/selected_prefill_interpolation/raw_data.npz')",
        "q = np.load(d + '/selected_decode_interpolation/raw_data.npz')",
        "pj = json.load(open(d + '/prefill_raw_data.json')); dj = json.load(open(d + '/decode_raw_data.json'))",
        "for k in sorted(p.files): print('prefill', k, p[k].dtype, p[k].shape)",
        "for k in sorted(q.files): print('decode', k, q[k].dtype, q[k].shape)",
        "assert p['prefill_isl'].tolist() == pj['prefill_isl']",
        "assert np.array_equal(p['prefill_ttft'], np.array(pj['prefill_ttft']))",
        "assert np.array_equal(q['z_itl'], np.array(dj['z_itl']))",
        "assert int(q['max_kv_tokens'][0]) == dj['max_kv_tokens']",
        "print('numpy-ok')");

    @Test
    void shouldProfileASmallScenarioEndToEnd() throws Exception {
        final Path out = Files.createTempDirectory("slaprof-run-it");
        final CliRunner.Outcome o = CliRunner.run("run", "--max-num-gpus-per-engine", "2", "--max-concurrency", "16",
            "--prefill-interpolation-granularity", "4", "--decode-interpolation-granularity", "3",
            "--ttft", "400", "--itl", "20", "--output-dir", out.toString(), "--ui-port", "0");
        final String log = o.output();
        assertThat(o.exitCode()).as(log).isZero();
        assertThat(log).contains("recommended deployment:", "Dynamo's per-role picks", "  prefill: ", "  decode: ",
            "== slaprof summary (SIMULATED data) ==");

        final Path folder = out.resolve("Qwen_Qwen3-32B__vllm__H200-SXM__sim").resolve("default");
        for (final String f : new String[] {"recommendation.json", "config_with_planner.yaml", "prefill_raw_data.json",
            "decode_raw_data.json", "selected_prefill_interpolation/raw_data.npz",
            "selected_decode_interpolation/raw_data.npz"}) {
            assertThat(folder.resolve(f)).as(f).isRegularFile();
        }
        final JsonNode rec = JSON.readTree(folder.resolve("recommendation.json").toFile());
        assertThat(rec.path("data_source").asText()).isEqualTo("SIMULATED");
        assertThat(rec.path("prefill_table").path("prefill_isl").size()).isGreaterThanOrEqualTo(4);

        final String numpy = Python.run(NUMPY_CHECK, folder.toString());
        assertThat(numpy).contains("prefill prefill_isl int64 (", "prefill prefill_ttft float64 (",
            "decode max_kv_tokens int64 (1,)", "decode x_kv_usage float64 (", "numpy-ok");
    }

    /** The README's other-model example, as written there (with a free UI port and a temporary output folder). */
    @Test
    void shouldRunTheReadmesOtherModelExample() throws Exception {
        final Path out = Files.createTempDirectory("slaprof-run-readme");
        final CliRunner.Outcome o = CliRunner.run("run", "--model", "Qwen/Qwen3-8B", "--gpu-type", "H100-SXM",
            "--max-num-gpus-per-engine", "4", "--ui-port", "0", "--output-dir", out.toString());
        assertThat(o.exitCode()).as(o.output()).isZero();
        assertThat(o.output()).contains("slaprof: profiling Qwen/Qwen3-8B on H100-SXM (vllm), mappings TP=1, TP=2, TP=4",
            "recommended deployment:");
        assertThat(out.resolve("Qwen_Qwen3-8B__vllm__H100-SXM__sim/default/recommendation.json")).isRegularFile();
    }
}
