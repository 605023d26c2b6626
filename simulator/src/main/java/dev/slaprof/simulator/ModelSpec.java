package dev.slaprof.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * Architecture facts of a model, as in its config.json. Sizes in counts, parameters in billions.
 *
 * @param name                model id, e.g. Qwen/Qwen3-32B
 * @param architecture        config.architectures[0]
 * @param layers              transformer layers
 * @param hiddenSize          hidden size
 * @param numAttentionHeads   query heads
 * @param numKvHeads          KV heads (GQA)
 * @param headDim             head dimension
 * @param intermediateSize    dense FFN size
 * @param moeIntermediateSize per-expert FFN size (MoE), 0 for dense
 * @param numExperts          routed experts (MoE), 0 for dense
 * @param expertsPerToken     experts per token (MoE)
 * @param contextLength       max_position_embeddings, tokens
 * @param paramsB             total parameters, billions
 * @param activeParamsB       parameters per token, billions
 * @param expertParamsB       parameters inside routed experts, billions (split by EP)
 * @param bytesPerParam       weight bytes per parameter (2 = BF16)
 * @param kvBytesPerToken     whole-model KV bytes per token; 0 = derive from the GQA shape
 * @param quantBlockSize      quantization block of the weights (quantization_config's weight_block_size,
 *                            block_size, group_size or q_group_size; a list's largest element); 0 = none or unknown
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelSpec(
    String name,
    @JsonProperty("architecture") String architecture,
    @JsonProperty("layers") int layers,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("num_attention_heads") int numAttentionHeads,
    @JsonProperty("num_kv_heads") int numKvHeads,
    @JsonProperty("head_dim") int headDim,
    @JsonProperty("intermediate_size") int intermediateSize,
    @JsonProperty("moe_intermediate_size") int moeIntermediateSize,
    @JsonProperty("num_experts") int numExperts,
    @JsonProperty("experts_per_token") int expertsPerToken,
    @JsonProperty("context_length") int contextLength,
    @JsonProperty("params_b") double paramsB,
    @JsonProperty("active_params_b") double activeParamsB,
    @JsonProperty("expert_params_b") double expertParamsB,
    @JsonProperty("bytes_per_param") double bytesPerParam,
    @JsonProperty("kv_bytes_per_token") double kvBytesPerToken,
    @JsonProperty("quantization_block_size") int quantBlockSize) {

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

    /** Weight bytes of the whole model. */
    public double weightBytes() {
        return paramsB * 1e9 * bytesPerParam;
    }

    /** KV-cache bytes per token for the whole model (all layers, K and V, BF16). */
    public double kvBytes() {
        return kvBytesPerToken > 0 ? kvBytesPerToken : 2.0 * layers * numKvHeads * headDim * 2;
    }

    /** Copy with the name set (the YAML map key). */
    public ModelSpec named(final String n) {
        return new ModelSpec(n, architecture, layers, hiddenSize, numAttentionHeads, numKvHeads, headDim,
            intermediateSize, moeIntermediateSize, numExperts, expertsPerToken, contextLength, paramsB, activeParamsB,
            expertParamsB, bytesPerParam, kvBytesPerToken, quantBlockSize);
    }
}
