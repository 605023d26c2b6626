package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Strategy;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.ModelSpec;
import dev.slaprof.simulator.arch.Quant;
import org.junit.jupiter.api.Test;

/** A row's system, precision and mapping reach the model; what cannot be replayed is named, never guessed. */
class RowReplayTest {
    private static final String HEADER = "id,silicon_data_source,backend,backend_version,model_path,system,precision,"
        + "mode,isl,osl,gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
        + "moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n";
    private final Catalog catalog = Catalog.bundled();
    private final RowReplay replay = new RowReplay(catalog, 2);

    private static SiliconRow row(final String line) {
        final SiliconCsv.Parsed p = SiliconCsv.parse("t.csv", HEADER + line + "\n");
        assertThat(p.problems()).isEmpty();
        return p.rows().get(0);
    }

    @Test
    void shouldNameWhatItCannotReplay() {
        assertThat(replay.replay(row("a,src; silicon_concurrency=4,vllm,,Qwen/Qwen3-32B,x100_sxm,fp8,agg,1024,1024,,,4,"
            + "1,1,1,,,10,5"), catalog::params).skip()).startsWith("unknown system: x100_sxm (known: ");
        assertThat(replay.replay(row("a,src; silicon_concurrency=4,vllm,,acme/Nope-7B,h100_sxm,fp8,agg,1024,1024,,,4,1,1,"
            + "1,,,10,5"), catalog::params).skip()).isEqualTo("unknown model: acme/Nope-7B");
        assertThat(replay.replay(row("a,src; silicon_concurrency=4,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1024,1024,,,4,1,2,"
            + "1,,,10,5"), catalog::params).skip()).isEqualTo("pipeline parallelism is not modelled");
        assertThat(replay.replay(row("a,src; silicon_concurrency=4,vllm,,meta-llama/Llama-3.1-70B,h100_sxm,,agg,1024,1024,"
            + ",,4,1,1,1,,,10,5"), catalog::params).skip()).isEqualTo("weights do not fit the GPUs of a worker");
        // DeepSeek-R1 has 128 query heads: TP=36 is no engine's TP (InferenceX's GB200 exports write GPU counts so).
        assertThat(replay.replay(row("a,src; silicon_concurrency=4,trtllm,,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,1024,1024,"
            + ",,4,36,1,1,36,1,10,5"), catalog::params).skip())
            .isEqualTo("tp_size does not divide the model's attention heads (not one engine's TP)");
        assertThat(replay.replay(row("a,src; silicon_concurrency=4,trtllm,,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,1024,1024,"
            + ",,4,32,1,1,32,1,10,5"), catalog::params).replayed()).as("TP=32 divides 128 heads").isTrue();
    }

    @Test
    void shouldServeTheRowsPrecision() {
        final ModelSpec bf16 = catalog.model("Qwen/Qwen3-32B");
        final ModelSpec fp8 = RowReplay.served(bf16, row("a,src; silicon_concurrency=4,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,"
            + "agg,1024,1024,fp8,,4,1,1,1,,,10,5"));
        assertThat(fp8.precision().gemm()).isEqualTo(Quant.FP8);
        assertThat(fp8.kvBytes()).isEqualTo(bf16.kvBytes() / 2);
        final ModelSpec plain = RowReplay.served(bf16, row("a,src; silicon_concurrency=4,vllm,,Qwen/Qwen3-32B,h100_sxm,,"
            + "agg,1024,1024,,,4,1,1,1,,,10,5"));
        assertThat(plain.precision()).isEqualTo(bf16.precision());
    }

    @Test
    void shouldMapAttentionDpToDepAndExpertParallelToTep() {
        final ModelSpec r1 = catalog.model("deepseek-ai/DeepSeek-R1");
        assertThat(RowReplay.mapping(new SiliconRow.Workers(1, 64, 1, 1, 8, 1, 8), r1).getStrategy())
            .isEqualTo(Strategy.DEP);
        assertThat(RowReplay.mapping(new SiliconRow.Workers(1, 64, 8, 1, 1, 1, 8), r1).getStrategy())
            .isEqualTo(Strategy.TEP);
        assertThat(RowReplay.mapping(new SiliconRow.Workers(1, 64, 4, 1, 1, 4, 1), catalog.model("Qwen/Qwen3-32B")))
            .isEqualTo(Mappings.tp(4));
    }

    @Test
    void shouldReplayAGoodRowDeterministically() {
        final SiliconRow r = row("a,db-dump/x; silicon_concurrency=8,vllm,,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1024,256,fp8,,"
            + "8,2,1,1,,,120,9");
        final RowReplay.Estimate a = replay.replay(r, catalog::params);
        assertThat(a.replayed()).isTrue();
        assertThat(a.ttftMs()).isPositive();
        assertThat(a.tpotMs()).isPositive();
        assertThat(replay.replay(r, catalog::params)).isEqualTo(a);
    }
}
