package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad rows are refused with their line, column and reason, and the other rows go on. */
class SiliconCsvTest {
    private static final String HEADER = "id,silicon_data_source,backend,backend_version,model_path,system,precision,"
        + "mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
        + "moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n";
    private static final String GOOD = "a,db-dump/x; silicon_concurrency=8,vllm,0.12.0,Qwen/Qwen3-32B,h100_sxm,fp8,agg,"
        + "1024,1024,fp8,,8,2,1,1,,,120.5,9.25\n";

    @Test
    void shouldReadAGoodRowWithItsConcurrencyFromTheSource() {
        final SiliconCsv.Parsed p = SiliconCsv.parse("t.csv", HEADER + GOOD);
        assertThat(p.problems()).isEmpty();
        final SiliconRow r = p.rows().get(0);
        assertThat(r.concurrency()).isEqualTo(8);
        assertThat(r.agg().tp()).isEqualTo(2);
        assertThat(r.agg().dp()).isEqualTo(1);
        assertThat(r.ttftMs()).isEqualTo(120.5);
        assertThat(r.inferenceX()).isTrue();
        assertThat(r.line()).isEqualTo(2);
    }

    @Test
    void shouldNameTheLineAndColumnOfEachBadRowAndKeepTheOthers() {
        final String text = HEADER + GOOD
            + "b,src,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,agg,abc,1024,,,8,2,1,1,,,120,9\n"
            + "c,src,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1024,1024,,,8,2,1,1,,,-3,9\n"
            + "d,src,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,sideways,1024,1024,,,8,2,1,1,,,3,9\n"
            + "e,src,vllm\n"
            + GOOD.replace("a,", "f,");
        final SiliconCsv.Parsed p = SiliconCsv.parse("t.csv", text);
        assertThat(p.rows()).extracting(SiliconRow::id).containsExactly("a", "f");
        assertThat(p.problems()).extracting(Object::toString).containsExactly(
            "t.csv:3 column isl: 'abc' is not a number",
            "t.csv:4 column silicon_ttft_ms: negative latency -3",
            "t.csv:5 column mode: 'sideways' is neither agg nor disagg",
            "t.csv:6: 3 fields, the header has 20");
    }

    @Test
    void shouldRefuseEveryRowOfAFileMissingAColumnNamingIt() {
        final String text = HEADER.replace(",silicon_tpot_ms", "") + GOOD.replace(",9.25", "");
        final SiliconCsv.Parsed p = SiliconCsv.parse("t.csv", text);
        assertThat(p.rows()).isEmpty();
        assertThat(p.problems()).extracting(Object::toString)
            .containsExactly("t.csv:2 column silicon_tpot_ms: missing column");
    }

    @Test
    void shouldReadQuotedFieldsWithCommasAndQuotes() {
        final String text = HEADER + GOOD.replace("db-dump/x; silicon_concurrency=8", "\"db-dump/x, \"\"y\"\"; "
            + "silicon_concurrency=8\"");
        final SiliconCsv.Parsed p = SiliconCsv.parse("t.csv", text);
        assertThat(p.problems()).isEmpty();
        assertThat(p.rows().get(0).source()).isEqualTo("db-dump/x, \"y\"; silicon_concurrency=8");
        assertThat(List.of(p.rows().get(0).concurrency())).containsExactly(8);
    }
}
