package dev.slaprof.simulator.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.simulator.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The facts derived from each shipped config.json against the figures the models' publishers state on their model
 * cards (total and active parameters, billions), and the KV and precision physics on hand-computed cases.
 */
class HfConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ModelIndex index = ModelIndex.bundled();

    @ParameterizedTest(name = "{0}: {1} B total, {2} B active")
    @CsvSource({
        // Model-card figures, billions: total, and active per token. A dense model's active count is its card's
        // non-embedding count plus the LM head (vocab x hidden), which a token multiplies while the embedding is a
        // lookup. MTP layers and vision towers are not counted here.
        "Qwen/Qwen3-0.6B, 0.6, 0.6",             // 0.44 non-embedding + 0.16 (tied head)
        "Qwen/Qwen3-8B, 8.2, 7.57",              // 6.95 + 0.62
        "Qwen/Qwen3-32B, 32.8, 32.0",            // 31.2 + 0.78
        "meta-llama/Llama-3.1-8B, 8.03, 7.5",    // 8.03 - 0.53 embedding
        "meta-llama/Llama-3.1-70B, 70.6, 69.5",  // 70.6 - 1.05 embedding
        "Qwen/Qwen3-30B-A3B, 30.5, 3.0",         // the card's 3.3 counts the input embedding (0.31)
        "Qwen/Qwen3-235B-A22B, 235, 22",
        "deepseek-ai/DeepSeek-R1, 671, 37",
        "openai/gpt-oss-120b, 116.8, 5.1",
        "moonshotai/Kimi-K2.5, 1030, 32",
        "MiniMaxAI/MiniMax-M2.5, 229, 10",
    })
    void shouldDeriveThePublishedParameterCounts(final String id, final double total, final double active) {
        final ModelSpec s = index.model(id);
        System.out.println(HfConfig.describe(s));
        assertThat(s.paramsB()).as("total of %s", id).isCloseTo(total, within(total * 0.03));
        assertThat(s.activeParamsB()).as("active of %s", id).isCloseTo(active, within(Math.max(0.1, active * 0.06)));
    }

    @Test
    void shouldComputeGqaKvBytesByHand() {
        // Qwen3-32B: 64 layers x 8 KV heads x 128 dims x (K and V) x 2 bytes = 262,144 bytes per token.
        assertThat(index.model("Qwen/Qwen3-32B").kvBytes()).isEqualTo(262_144.0);
        // The FP8 KV cache of the NVFP4 checkpoint halves it.
        assertThat(index.model("nvidia/Qwen3-32B-NVFP4").kvBytes()).isEqualTo(131_072.0);
    }

    @Test
    void shouldComputeMlaKvBytesByHand() {
        // DeepSeek-R1: one latent of kv_lora_rank 512 + rope 64 per layer, 61 layers, BF16: 61 x 576 x 2 = 70,272.
        final ModelSpec r1 = index.model("deepseek-ai/DeepSeek-R1");
        assertThat(r1.attention().mla()).isTrue();
        assertThat(r1.kvBytes()).isEqualTo(70_272.0);
        // GLM-5 adds the sparse-attention indexer's FP8 key (128 bytes + one 4-byte scale) on each of 78 layers:
        // 78 x (576 x 2 + 132) = 100,152.
        assertThat(index.model("zai-org/GLM-5").kvBytes()).isEqualTo(100_152.0);
    }

    @Test
    void shouldHalveWeightBytesWithFp8AndKeepEmbeddingsBf16() {
        final ModelSpec bf16 = index.model("Qwen/Qwen3-32B");
        final ModelSpec fp8 = bf16.withPrecision(bf16.precision().withWeights(Quant.FP8));
        final double embeddings = bf16.embeddingParamsB() * 1e9 * 2;
        assertThat(fp8.weightBytes() - embeddings).isCloseTo((bf16.weightBytes() - embeddings) / 2, within(1.0));
        // NVFP4: 4 bits and one FP8 scale per 16 weights = 0.5625 bytes per weight.
        final ModelSpec fp4 = bf16.withPrecision(bf16.precision().withWeights(Quant.NVFP4));
        assertThat(fp4.weightBytes() - embeddings).isCloseTo((bf16.weightBytes() - embeddings) * 0.5625 / 2,
            within(1.0));
    }

    @Test
    void shouldReadEachCheckpointsQuantization() {
        assertThat(index.model("deepseek-ai/DeepSeek-R1").precision().gemm()).isEqualTo(Quant.FP8_BLOCK);
        assertThat(index.model("deepseek-ai/DeepSeek-R1").quantBlockSize()).isEqualTo(128);
        assertThat(index.model("openai/gpt-oss-120b").precision()).isEqualTo(new Precision(Quant.BF16, Quant.MXFP4, 2));
        assertThat(index.model("moonshotai/Kimi-K2.5").precision().moe()).isEqualTo(Quant.INT4_WO);
        assertThat(index.model("nvidia/DeepSeek-V3.1-NVFP4").precision()).isEqualTo(
            new Precision(Quant.NVFP4, Quant.NVFP4, 1));
        assertThat(index.model("nvidia/Llama-3.1-70B-Instruct-FP8").precision()).isEqualTo(
            new Precision(Quant.FP8, Quant.FP8, 1));
        assertThat(index.model("Qwen/Qwen3-32B").precision()).isEqualTo(Precision.BF16);
    }

    @Test
    void shouldCountSlidingAndLinearLayers() {
        final AttentionShape oss = index.model("openai/gpt-oss-120b").attention();
        assertThat(oss.fullLayers()).isEqualTo(18);
        assertThat(oss.slidingLayers()).isEqualTo(18);
        assertThat(oss.slidingWindow()).isEqualTo(128);
        final AttentionShape qwen35 = index.model("Qwen/Qwen3.5-397B-A17B").attention();
        assertThat(qwen35.fullLayers()).isEqualTo(15);
        assertThat(qwen35.linearLayers()).isEqualTo(45);
        // 15 full layers x 2 KV heads x 256 dims x (K and V) x 2 bytes.
        assertThat(index.model("Qwen/Qwen3.5-397B-A17B").kvBytes()).isEqualTo(15 * 2 * 256 * 2 * 2.0);
        assertThat(qwen35.stateBytes()).isPositive();
    }

    @Test
    void shouldCountCausalPairsByHand() {
        // 4 new tokens after 2 cached: positions 3..6 attend to 3+4+5+6 = 18 keys; a window of 4 caps them at 3+4+4+4.
        assertThat(AttentionShape.causalPairs(4, 2, Long.MAX_VALUE)).isEqualTo(18.0);
        assertThat(AttentionShape.causalPairs(4, 2, 4)).isEqualTo(15.0);
        assertThat(AttentionShape.causalPairs(3, 10, 4)).isEqualTo(12.0);
    }

    @Test
    void shouldNameAnUnsupportedArchitectureAndMissingFields(@TempDir final Path dir) throws Exception {
        final ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("MambaForCausalLM");
        Files.writeString(dir.resolve("config.json"), c.toString());
        assertThatThrownBy(() -> HfConfig.read(dir, "x")).hasMessageContaining("architecture 'MambaForCausalLM' is "
            + "not supported").hasMessageContaining("LlamaForCausalLM");
        final ObjectNode llama = JSON.createObjectNode();
        llama.putArray("architectures").add("LlamaForCausalLM");
        llama.put("hidden_size", 4096).put("num_attention_heads", 32);
        Files.writeString(dir.resolve("config.json"), llama.toString());
        assertThatThrownBy(() -> HfConfig.read(dir, "x")).hasMessageContaining(
            "missing fields 'num_hidden_layers', 'vocab_size', 'intermediate_size', 'max_position_embeddings' "
                + "(required for LlamaForCausalLM)");
        assertThatThrownBy(() -> index.model("no/such-model")).hasMessageContaining("unknown model 'no/such-model'; "
            + "known: ").hasMessageContaining("Qwen/Qwen3-32B");
    }

    @Test
    void shouldReadAModelFromAFolderPath(@TempDir final Path dir) throws Exception {
        Files.copy(Path.of("../config/models/Qwen/Qwen3-8B/config.json"), dir.resolve("config.json"));
        final ModelSpec s = index.model(dir.toString());
        assertThat(s.layers()).isEqualTo(36);
        assertThat(String.format(Locale.ROOT, "%.1f", s.paramsB())).isEqualTo("8.2");
    }
}
