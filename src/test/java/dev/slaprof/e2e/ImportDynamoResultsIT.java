package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code slaprof run --import-dynamo-results}: a results directory in profile_sla's layout with AIPerf per-request
 * exports, analysed through the real pipeline, gives the mapping Dynamo's rules pick from the same data.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ImportDynamoResultsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0_NS = 1_785_795_000_000_000_000L;

    @TempDir
    Path dir;

    private static String record(final String phase, final double ttftMs, final double itlMs, final int isl,
                                 final int osl, final long startNs, final long endNs) {
        final ObjectNode r = JSON.createObjectNode();
        r.putObject("metadata").put("x_request_id", UUID.randomUUID().toString()).put("request_start_ns", startNs)
            .put("request_end_ns", endNs).put("benchmark_phase", phase).put("worker_id", "w");
        final ObjectNode m = r.putObject("metrics");
        m.putObject("time_to_first_token").put("value", ttftMs).put("unit", "ms");
        m.putObject("inter_token_latency").put("value", itlMs).put("unit", "ms");
        m.putObject("input_sequence_length").put("value", isl).put("unit", "tokens");
        m.putObject("output_sequence_length").put("value", osl).put("unit", "tokens");
        m.putObject("request_latency").put("value", (endNs - startNs) / 1e6).put("unit", "ms");
        return r.toString();
    }

    private void prefill(final String engine, final double ttft) throws IOException {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            sb.append(record("warmup", ttft * 3, 2, 3000, 5, T0_NS, T0_NS + 1_000_000_000L)).append('\n');
        }
        sb.append(record("profiling", ttft, 2, 3000, 5, T0_NS, T0_NS + 1_000_000_000L)).append('\n');
        write(engine + "/aiperf_isl3000/profile_export.jsonl", sb.toString());
    }

    /** A burst of n requests of 500 tokens, all inside {@code seconds}: thpt = n * 500 / seconds. */
    private void decode(final String engine, final int n, final double itl, final double seconds) throws IOException {
        final String run = engine + "/aiperf_request" + n + "_isl3000_osl500_n" + n;
        final StringBuilder measured = new StringBuilder();
        final StringBuilder warm = new StringBuilder();
        for (int i = 0; i < n; i++) {
            final long end = T0_NS + (long) (seconds * 1e9);
            measured.append(record("profiling", 30, itl, 3000, 500, T0_NS, end)).append('\n');
            warm.append(record("profiling", 300, itl * 2, 3000, 500, T0_NS, end)).append('\n');
        }
        write(run + "/profile_export.jsonl", measured.toString());
        write(run + "_warmup/profile_export.jsonl", warm.toString());
    }

    private void write(final String rel, final String text) throws IOException {
        final Path p = dir.resolve("results").resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void shouldPickWhatDynamosRulesPickFromTheSameData() throws Exception {
        // Prefill at ISL 3000: TP1 3000/100*1000 = 30000 tok/s/GPU; TP2 3000/60*1000/2 = 25000. Target 120 ms.
        prefill("prefill_1gpus_TP1", 100);
        prefill("prefill_2gpus_TP2", 60);
        // Decode: TP1 8 x 500 / 10 s / 1 GPU = 400; TP2 16 x 500 / 8 s / 2 GPUs = 500; TP2 at 32: ITL 30 > 25.
        decode("decode_1gpus_TP1", 8, 20, 10);
        decode("decode_2gpus_TP2", 16, 22, 8);
        decode("decode_2gpus_TP2", 32, 30, 8);
        final Path out = dir.resolve("out");
        final CliRunner.Outcome o = CliRunner.run("run", "--import-dynamo-results", dir.resolve("results").toString(),
            "--model", "Qwen/Qwen3-32B", "--backend", "vllm", "--gpu-type", "H200-SXM", "--ttft", "120", "--itl", "25",
            "--output-dir", out.toString(), "--ui-port", "0");
        assertThat(o.exitCode()).as(o.output()).isZero();
        final JsonNode rec = JSON.readTree(out.resolve("Qwen_Qwen3-32B__vllm__H200-SXM__import/default")
            .resolve("recommendation.json").toFile());
        assertThat(rec.path("data_source").asText()).isEqualTo("MEASURED");
        assertThat(rec.path("prefill").path("point").path("label").asText()).isEqualTo("TP=1");
        assertThat(rec.path("prefill").path("point").path("thpt_per_gpu").asDouble()).isEqualTo(30_000.0);
        assertThat(rec.path("decode").path("point").path("label").asText()).isEqualTo("TP=2");
        assertThat(rec.path("decode").path("point").path("in_flight").asInt()).isEqualTo(16);
        assertThat(rec.path("decode").path("point").path("thpt_per_gpu").asDouble()).isEqualTo(500.0);
        assertThat(rec.path("decode").path("point").path("thpt_method").asText()).isEqualTo("RUN_OUTPUT_OVER_DURATION");
        assertThat(rec.path("decode").path("point").path("latency_ms").asDouble()).isEqualTo(22.0);
    }

    /**
     * The interpolation folders as Dynamo writes them (`selected_prefill_interpolation/aiperf_isl{I}`,
     * `selected_decode_interpolation/aiperf_isl{I}_osl{O}_n{N}`): complete tables, one point per folder, keyed on the
     * folder's requested ISL even where the measured prompt tokens differ by a few.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "vllm|INFO 09-01 10:00:00 [kv_cache_utils.py:1087] GPU KV cache size: 246,208 tokens",
        "sglang|[2025-09-01 10:00:00 TP0] KV Cache is allocated. #tokens: 246208, K size: 15.03 GB, V size: 15.03 GB",
        "trtllm|[TRT-LLM] [I] [MemUsageChange] Allocated 30.05 GiB for max tokens in paged KV cache (246208)."})
    void shouldImportTheInterpolationFoldersIntoCompleteTables(final String backend, final String capacityLine)
        throws Exception {
        prefill("prefill_1gpus_TP1", 100);
        decode("decode_1gpus_TP1", 8, 20, 10);
        // The engine's own start-up log, saved by Dynamo in the engine folder: the decode table's KV capacity.
        write("decode_1gpus_TP1/decode-worker.log", "start-up\n" + capacityLine + "\nready\n");
        final int[] prefillIsls = {100, 2621, 5142, 7663};
        for (final int isl : prefillIsls) {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                sb.append(record("profiling", 10 + isl / 30.0, 2, isl + i, 5, T0_NS, T0_NS + 1_000_000_000L))
                    .append('\n');
            }
            write("selected_prefill_interpolation/aiperf_isl" + isl + "/profile_export.jsonl", sb.toString());
        }
        int decodePoints = 0;
        for (final int isl : new int[] {100, 6843}) {
            for (final int n : new int[] {1, 8, 16}) {
                final StringBuilder sb = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    sb.append(record("profiling", 30, 10 + n * 0.5 + isl / 1000.0, isl + i % 2, 500, T0_NS,
                        T0_NS + 10_000_000_000L)).append('\n');
                }
                write("selected_decode_interpolation/aiperf_isl" + isl + "_osl500_n" + n + "/profile_export.jsonl",
                    sb.toString());
                decodePoints++;
            }
        }
        final Path out = dir.resolve("out-interp");
        final CliRunner.Outcome o = CliRunner.run("run", "--import-dynamo-results", dir.resolve("results").toString(),
            "--model", "Qwen/Qwen3-32B", "--backend", backend, "--gpu-type", "H200-SXM", "--ttft", "500", "--itl", "50",
            "--prefill-mapping", "TP=1", "--decode-mapping", "TP=1", "--output-dir", out.toString(), "--ui-port", "0");
        assertThat(o.exitCode()).as(o.output()).isZero();
        final JsonNode rec = JSON.readTree(out.resolve("Qwen_Qwen3-32B__" + backend + "__H200-SXM__import/default")
            .resolve("recommendation.json").toFile());
        final JsonNode pt = rec.path("prefill_table");
        assertThat(pt.path("complete").asBoolean()).as(pt.toString()).isTrue();
        final List<Integer> isls = new ArrayList<>();
        pt.path("prefill_isl").forEach(v -> isls.add(v.asInt()));
        // Exactly the four interpolation ISLs, as Dynamo's table holds them: no knot from the parallelization
        // sweep's ISL 3000, and each point once whatever the measured tokens.
        assertThat(isls).containsExactly(100, 2621, 5142, 7663);
        final JsonNode dt = rec.path("decode_table");
        // Exactly the six interpolation points (the sweep's point at ISL 3000 is not one of them), context isl + 250.
        assertThat(dt.path("z_itl").size()).isEqualTo(decodePoints);
        final Set<Double> contexts = new TreeSet<>();
        dt.path("y_context_length").forEach(v -> contexts.add(v.asDouble()));
        assertThat(contexts).containsExactly(350.0, 7093.0);
        assertThat(dt.path("max_kv_tokens").asLong()).isEqualTo(246_208L);
        assertThat(dt.path("complete").asBoolean()).as(dt.toString()).isTrue();
        assertThat(o.output()).contains("KV capacity of decode_1gpus_TP1 from decode-worker.log: 246,208 tokens");
        // The pick still stands on the parallelization sweep's points.
        assertThat(rec.path("prefill").path("point").path("isl").asInt()).isEqualTo(3000);
    }

    @Test
    void shouldFailClearlyOnADirectoryWithoutSamples() {
        final CliRunner.Outcome o = CliRunner.run("run", "--import-dynamo-results", dir.toString(), "--output-dir",
            dir.resolve("out").toString(), "--ui-port", "0");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.output()).contains("slaprof: error: no per-request samples found under");
    }
}
