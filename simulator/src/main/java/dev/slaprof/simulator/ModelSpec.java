package dev.slaprof.simulator;

import dev.slaprof.simulator.arch.AttentionShape;
import dev.slaprof.simulator.arch.Precision;
import java.util.Set;

/**
 * Architecture facts of a model, derived from its Hugging Face config.json ({@link dev.slaprof.simulator.arch.HfConfig}),
 * and the precision it is served at. Sizes in counts, parameters in billions.
 *
 * @param name                model id, e.g. Qwen/Qwen3-32B
 * @param architecture        config.architectures[0]
 * @param layers              transformer layers
 * @param hiddenSize          hidden size
 * @param numAttentionHeads   query heads
 * @param numKvHeads          KV heads (GQA; MLA models report their config's value)
 * @param headDim             head dimension
 * @param intermediateSize    dense FFN size
 * @param moeIntermediateSize per-expert FFN size (MoE), 0 for dense
 * @param numExperts          routed experts (MoE), 0 for dense
 * @param expertsPerToken     routed experts per token (MoE)
 * @param contextLength       max_position_embeddings, tokens
 * @param paramsB             total parameters, billions (embeddings and LM head included)
 * @param activeParamsB       parameters one decoded token multiplies, billions (shared and top-k experts, LM head)
 * @param expertParamsB       parameters inside the routed experts, billions (split by EP)
 * @param embeddingParamsB    input embedding and LM head, billions (kept BF16)
 * @param lmHeadParamsB       the LM head alone, billions (a prefill applies it to its last token only)
 * @param attention           the attention's memory and FLOP shape
 * @param precision           weights' and KV cache's precision
 * @param quantBlockSize      quantization block of the weights (quantization_config's weight_block_size,
 *                            block_size, group_size or q_group_size; a list's largest element); 0 = none or unknown
 */
public record ModelSpec(
    String name,
    String architecture,
    int layers,
    int hiddenSize,
    int numAttentionHeads,
    int numKvHeads,
    int headDim,
    int intermediateSize,
    int moeIntermediateSize,
    int numExperts,
    int expertsPerToken,
    int contextLength,
    double paramsB,
    double activeParamsB,
    double expertParamsB,
    double embeddingParamsB,
    double lmHeadParamsB,
    AttentionShape attention,
    Precision precision,
    int quantBlockSize) {

    /** The architectures Dynamo's profiler treats as MoE (spec §2): DeepSeek V3/V3.2 and Qwen3-MoE. */
    public static final Set<String> DYNAMO_MOE_ARCHITECTURES =
        Set.of("DeepseekV3ForCausalLM", "DeepseekV32ForCausalLM", "Qwen3MoeForCausalLM");

    /** True when the model has routed experts (the performance model's MoE physics). */
    public boolean isMoe() {
        return numExperts > 0;
    }

    /**
     * True when Dynamo's profiler searches TEP and DEP mappings for it: by architecture, as Dynamo decides, not by
     * the presence of experts (a Mixtral-style model outside the set is searched as dense TP, as in Dynamo).
     */
    public boolean searchedAsMoe() {
        return architecture != null && DYNAMO_MOE_ARCHITECTURES.contains(architecture);
    }

    /** Bytes per dense weight (the dense GEMMs' quantization, scales included). */
    public double bytesPerParam() {
        return precision.gemm().bytesPerParam();
    }

    /** Dense weights (attention, dense MLPs, shared experts, norms), billions: all but the experts and embeddings. */
    public double denseParamsB() {
        return paramsB - expertParamsB - embeddingParamsB;
    }

    /** Routed-expert parameters one token multiplies (its top-k experts), billions. */
    public double activeExpertParamsB() {
        return Math.max(0, activeParamsB - denseParamsB() - lmHeadParamsB);
    }

    /** Bytes of the routed experts. */
    public double expertWeightBytes() {
        return expertParamsB * 1e9 * precision.moe().bytesPerParam();
    }

    /** Bytes of everything but the routed experts: dense weights at their precision, embeddings at BF16. */
    public double nonExpertWeightBytes() {
        return denseParamsB() * 1e9 * precision.gemm().bytesPerParam() + embeddingParamsB * 1e9 * 2;
    }

    /** Weight bytes of the whole model. */
    public double weightBytes() {
        return nonExpertWeightBytes() + expertWeightBytes();
    }

    /** KV-cache bytes per token of context for the whole model (full-attention layers and indexer keys). */
    public double kvBytes() {
        return attention.kvBytesPerToken(precision.kvBytes());
    }

    /** This model served at {@code p}. */
    public ModelSpec withPrecision(final Precision p) {
        return new ModelSpec(name, architecture, layers, hiddenSize, numAttentionHeads, numKvHeads, headDim,
            intermediateSize, moeIntermediateSize, numExperts, expertsPerToken, contextLength, paramsB, activeParamsB,
            expertParamsB, embeddingParamsB, lmHeadParamsB, attention, p, quantBlockSize);
    }

    /** Copy with the name set. */
    public ModelSpec named(final String n) {
        return new ModelSpec(n, architecture, layers, hiddenSize, numAttentionHeads, numKvHeads, headDim,
            intermediateSize, moeIntermediateSize, numExperts, expertsPerToken, contextLength, paramsB, activeParamsB,
            expertParamsB, embeddingParamsB, lmHeadParamsB, attention, precision, quantBlockSize);
    }
}
