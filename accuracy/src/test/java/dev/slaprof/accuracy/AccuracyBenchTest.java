package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.simulator.Catalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slaprof accuracy}'s work on two small files: every replayed row listed with its CSV id and both latencies, a
 * row it cannot replay counted by reason, a bad line refused with its line and column, AIC's answers beside the rows
 * they were asked for, and the errors recomputable from the rows.
 */
class AccuracyBenchTest {
    private static final String HEADER = "id,silicon_data_source,backend,backend_version,model_path,system,precision,"
        + "mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
        + "moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n";

    @TempDir
    Path dir;

    @Test
    void shouldListEveryReplayedRowCountSkipsAndRefusalsAndPutAicBeside() throws Exception {
        final Path a = Files.writeString(dir.resolve("a.csv"), HEADER
            + "r1,src; silicon_concurrency=4,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,bf16,agg,1024,256,,,4,2,1,1,,,120,20\n"
            + "r2,src; silicon_concurrency=8,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,bf16,agg,1024,256,,,8,2,1,1,,,150,22\n"
            + "r3,src; silicon_concurrency=4,vllm,0.12.0,acme/Nope-7B,h100_sxm,bf16,agg,1024,256,,,4,1,1,1,,,50,5\n");
        final Path b = Files.writeString(dir.resolve("b.csv"), HEADER
            + "r4,src; silicon_concurrency=4,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,bf16,agg,1024,256,,,4,2,1,1,,,-3,20\n");
        final MeasuredRows in = MeasuredRows.read(List.of(a, b), "--measured");
        assertThat(in.total()).isEqualTo(4);
        assertThat(in.rows()).hasSize(3);
        final List<List<String>> asked = new ArrayList<>();
        final AccuracyBench.AicAnswers aic = rows -> {
            asked.add(rows.stream().map(SiliconRow::id).toList());
            return Map.of("r1", new AicRows.Answer(100.0, 25.0, null));
        };
        final Path json = dir.resolve("out/accuracy.json");
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        new AccuracyBench(Catalog.bundled(), 0, 2).run(in, aic, json,
            new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(asked).containsExactly(List.of("r1", "r2"));
        final JsonNode doc = new ObjectMapper().readTree(json.toFile());
        final List<String> ids = new ArrayList<>();
        double ttftErr = 0;
        for (final JsonNode r : doc.get("rows")) {
            ids.add(r.get("id").asText());
            assertThat(r.get("ttft_ms_est").asDouble()).isPositive();
            assertThat(r.get("tpot_ms_est").asDouble()).isPositive();
            ttftErr += Math.abs(r.get("ttft_ms_est").asDouble() / r.get("ttft_ms").asDouble() - 1);
        }
        assertThat(ids).containsExactly("r1", "r2");
        assertThat(doc.get("rows").get(0).get("aic_ttft_ms").asDouble()).isEqualTo(100.0);
        assertThat(doc.get("rows").get(1).has("aic_ttft_ms")).isFalse();
        assertThat(doc.get("skipped").fieldNames()).toIterable().singleElement().asString()
            .startsWith("unknown model");
        assertThat(doc.get("refused").get(0).asText()).isEqualTo(b + ":2 column silicon_ttft_ms: negative latency -3");
        final JsonNode group = doc.get("groups").get(0);
        assertThat(group.get("rows").asInt()).isEqualTo(2);
        assertThat(group.get("ttft_mape").asDouble()).isCloseTo(100 * ttftErr / 2, org.assertj.core.api.Assertions
            .within(1e-6));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("accuracy: 4 rows read from").contains("wrote "
            + json);
    }

    @Test
    void shouldReplayTheFirstRowsOfEachGroupOnlyWhenAskedForASubset() throws Exception {
        final Path a = Files.writeString(dir.resolve("a.csv"), HEADER
            + "r1,src; silicon_concurrency=4,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,bf16,agg,1024,256,,,4,2,1,1,,,120,20\n"
            + "r2,src; silicon_concurrency=8,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,bf16,agg,1024,256,,,8,2,1,1,,,150,22\n");
        final AccuracyReport report = new AccuracyBench(Catalog.bundled(), 1, 2).run(
            MeasuredRows.read(List.of(a), "--measured"), AccuracyBench.AicAnswers.none(), null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(report.replayed()).isEqualTo(1);
    }

    @Test
    void shouldNameAMissingFileAndItsOption() {
        assertThatThrownBy(() -> MeasuredRows.read(List.of(dir.resolve("none.csv")), "--measured"))
            .hasMessage("--measured " + dir.resolve("none.csv") + ": no such file");
    }
}
