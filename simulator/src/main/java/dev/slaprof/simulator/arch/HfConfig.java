package dev.slaprof.simulator.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.simulator.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Derives a {@link ModelSpec} from a Hugging Face {@code config.json} (and a ModelOpt {@code hf_quant_config.json}
 * beside it): parameters per layer and in total, active parameters, KV bytes per token (GQA, MLA, sparse-attention
 * indexer), experts, sliding-window and linear-attention layers, and the quantization.
 *
 * <p>Counted: attention projections (MLA's low-rank q/kv, the output gate of gated attention), MLPs (SwiGLU: three
 * matrices), routed and shared experts, routers, the sparse-attention indexer, linear-attention projections and
 * convolution, the embedding and LM head (once when tied). Not counted: norms and biases (under 0.01 % of any model
 * here), multi-token-prediction layers (served only with speculative decoding) and vision towers.
 */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The architecture families whose physics the model knows, by {@code architectures[0]}. */
    enum Family { GQA_DENSE, GQA_MOE, MLA_MOE, HYBRID_LINEAR_MOE }

    static final Map<String, Family> SUPPORTED = supported();

    private final String source;
    private final JsonNode c;
    private final int blockSize;
    private final List<String> missing = new ArrayList<>();

    private HfConfig(final String source, final JsonNode c, final int blockSize) {
        this.source = source;
        this.c = c;
        this.blockSize = blockSize;
    }

    private static Map<String, Family> supported() {
        final Map<String, Family> m = new TreeMap<>();
        for (final String a : new String[] {"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
            "Qwen3ForCausalLM"}) {
            m.put(a, Family.GQA_DENSE);
        }
        for (final String a : new String[] {"Qwen3MoeForCausalLM", "MixtralForCausalLM", "MiniMaxM2ForCausalLM",
            "GptOssForCausalLM"}) {
            m.put(a, Family.GQA_MOE);
        }
        for (final String a : new String[] {"DeepseekV3ForCausalLM", "DeepseekV32ForCausalLM", "GlmMoeDsaForCausalLM",
            "KimiK25ForConditionalGeneration"}) {
            m.put(a, Family.MLA_MOE);
        }
        m.put("Qwen3_5MoeForConditionalGeneration", Family.HYBRID_LINEAR_MOE);
        return m;
    }

    /** The architectures {@link #read} accepts. */
    public static List<String> supportedArchitectures() {
        return List.copyOf(SUPPORTED.keySet());
    }

    /**
     * Reads {@code path}: a config.json, or a folder holding one (and, optionally, hf_quant_config.json).
     *
     * @param name the model id to give the spec
     */
    public static ModelSpec read(final Path path, final String name) {
        final Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no config.json at " + path
                + (Files.isDirectory(path) ? " (the folder has no config.json)" : " (no such file)"));
        }
        final JsonNode root;
        JsonNode quant = null;
        try {
            root = JSON.readTree(file.toFile());
            final Path q = file.resolveSibling("hf_quant_config.json");
            if (Files.isRegularFile(q)) {
                quant = JSON.readTree(q.toFile());
            }
        } catch (final IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        return derive(file.toString(), root, quant, name);
    }

    /** Derives the spec of {@code root} (a parsed config.json); {@code quant} is hf_quant_config.json or null. */
    public static ModelSpec derive(final String source, final JsonNode root, final JsonNode quant, final String name) {
        final JsonNode arches = root.path("architectures");
        if (!arches.isArray() || arches.isEmpty()) {
            throw new IllegalArgumentException(source + ": missing field 'architectures'");
        }
        final String arch = arches.get(0).asText();
        final Family family = SUPPORTED.get(arch);
        if (family == null) {
            throw new IllegalArgumentException(source + ": architecture '" + arch + "' is not supported; supported: "
                + String.join(", ", SUPPORTED.keySet()));
        }
        final JsonNode text = root.has("text_config") ? root.path("text_config") : root;
        final HfConfig h = new HfConfig(source, text, Quantization.blockSize(root));
        final Precision precision = Quantization.of(source, root, quant);
        final ModelSpec spec = switch (family) {
            case GQA_DENSE, GQA_MOE -> h.gqa(name, arch, family == Family.GQA_MOE, precision);
            case MLA_MOE -> h.mla(name, arch, precision);
            case HYBRID_LINEAR_MOE -> h.hybrid(name, arch, precision);
        };
        h.failOnMissing(arch);
        return spec;
    }

    private void failOnMissing(final String arch) {
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(source + ": missing field" + (missing.size() > 1 ? "s " : " ")
                + String.join(", ", missing.stream().map(f -> "'" + f + "'").toList()) + " (required for " + arch + ")");
        }
    }

    /** The first of {@code names} present as a number; records the first name as missing otherwise. */
    private long num(final String... names) {
        for (final String n : names) {
            final JsonNode v = c.get(n);
            if (v != null && v.isNumber()) {
                return v.asLong();
            }
        }
        missing.add(names[0]);
        return 0;
    }

    private long opt(final String name, final long fallback) {
        final JsonNode v = c.get(name);
        return v != null && v.isNumber() ? v.asLong() : fallback;
    }

    private ModelSpec gqa(final String name, final String arch, final boolean moe, final Precision precision) {
        final long h = num("hidden_size");
        final long layers = num("num_hidden_layers");
        final long heads = num("num_attention_heads");
        final long kvHeads = opt("num_key_value_heads", heads);
        final long headDim = opt("head_dim", heads > 0 ? h / heads : 0);
        final long vocab = num("vocab_size");
        final long inter = num("intermediate_size");
        final long context = num("max_position_embeddings");
        final double attn = h * heads * headDim + 2.0 * h * kvHeads * headDim + heads * headDim * h;
        long experts = 0;
        long topK = 0;
        long expertInter = 0;
        double expertParams = 0;
        double shared = 0;
        double mlp = 3.0 * h * inter;
        double activeMlp = mlp;
        if (moe) {
            experts = num("num_experts", "num_local_experts");
            topK = num("num_experts_per_tok", "experts_per_token");
            expertInter = c.has("moe_intermediate_size") ? num("moe_intermediate_size") : inter;
            final long sharedInter = opt("shared_intermediate_size", opt("shared_expert_intermediate_size", 0));
            shared = 3.0 * h * sharedInter;
            expertParams = layers * experts * 3.0 * h * expertInter;
            mlp = shared + (double) h * experts;
            activeMlp = shared + (double) h * experts + topK * 3.0 * h * expertInter;
        }
        // Sliding-window layers where the config lists layer types (gpt-oss); a window without layer types
        // (Mistral, Qwen2) is used only when use_sliding_window says so.
        long sliding = 0;
        long window = 0;
        final JsonNode types = c.path("layer_types");
        if (types.isArray()) {
            for (final JsonNode t : types) {
                if ("sliding_attention".equals(t.asText())) {
                    sliding++;
                }
            }
            window = sliding > 0 ? num("sliding_window") : 0;
        } else if (c.path("use_sliding_window").asBoolean(false) && c.path("sliding_window").isNumber()) {
            sliding = layers;
            window = c.path("sliding_window").asLong();
        }
        final AttentionShape shape = new AttentionShape((int) (layers - sliding), (int) sliding, (int) window, 0,
            (int) heads, (int) kvHeads, (int) headDim, (int) headDim, 0, 0, 0, 0, 0);
        return assemble(name, arch, layers, h, heads, kvHeads, headDim, inter, (int) expertInter, experts, topK, context,
            layers * (attn + mlp) + expertParams, layers * (attn + activeMlp), expertParams, vocab, shape, precision);
    }

    private ModelSpec mla(final String name, final String arch, final Precision precision) {
        final long h = num("hidden_size");
        final long layers = num("num_hidden_layers");
        final long heads = num("num_attention_heads");
        final long qLora = opt("q_lora_rank", 0);
        final long kvLora = num("kv_lora_rank");
        final long nope = num("qk_nope_head_dim");
        final long rope = num("qk_rope_head_dim");
        final long vDim = num("v_head_dim");
        final long vocab = num("vocab_size");
        final long inter = num("intermediate_size");
        final long expertInter = num("moe_intermediate_size");
        final long experts = num("n_routed_experts");
        final long topK = num("num_experts_per_tok");
        final long sharedExperts = opt("n_shared_experts", 0);
        final long denseLayers = opt("first_k_dense_replace", 0);
        final long context = num("max_position_embeddings");
        final long indexTopK = opt("index_topk", 0);
        final long indexDim = indexTopK > 0 ? num("index_head_dim") : 0;
        final long indexHeads = indexTopK > 0 ? num("index_n_heads") : 0;
        final double q = qLora > 0 ? h * qLora + (double) qLora * heads * (nope + rope) : (double) h * heads * (nope + rope);
        final double indexer = indexTopK > 0 ? (double) (qLora > 0 ? qLora : h) * indexHeads * indexDim
            + (double) h * indexDim + (double) h * indexHeads : 0;
        final double attn = q + (double) h * (kvLora + rope) + (double) kvLora * heads * (nope + vDim)
            + (double) heads * vDim * h + indexer;
        final long moeLayers = layers - denseLayers;
        final double shared = sharedExperts * 3.0 * h * expertInter;
        final double expertParams = moeLayers * experts * 3.0 * h * expertInter;
        final double total = layers * attn + denseLayers * 3.0 * h * inter + moeLayers * (shared + (double) h * experts)
            + expertParams;
        final double active = layers * attn + denseLayers * 3.0 * h * inter
            + moeLayers * (shared + (double) h * experts + topK * 3.0 * h * expertInter);
        // The indexer caches one FP8 key of index_head_dim per token and layer (plus a 4-byte scale per 128).
        final int indexerBytes = indexTopK > 0 ? (int) (indexDim + 4 * Math.max(1, indexDim / 128)) : 0;
        final AttentionShape shape = new AttentionShape((int) layers, 0, 0, 0, (int) heads, 1, (int) (nope + rope),
            (int) vDim, (int) (kvLora + rope), (int) indexTopK, indexerBytes, (int) indexHeads, 0);
        return assemble(name, arch, layers, h, heads, opt("num_key_value_heads", heads), nope, inter, (int) expertInter,
            experts, topK, context, total, active, expertParams, vocab, shape, precision);
    }

    private ModelSpec hybrid(final String name, final String arch, final Precision precision) {
        final long h = num("hidden_size");
        final long layers = num("num_hidden_layers");
        final long heads = num("num_attention_heads");
        final long kvHeads = num("num_key_value_heads");
        final long headDim = num("head_dim");
        final long vocab = num("vocab_size");
        final long context = num("max_position_embeddings");
        final long experts = num("num_experts");
        final long topK = num("num_experts_per_tok");
        final long expertInter = num("moe_intermediate_size");
        final long sharedInter = opt("shared_expert_intermediate_size", 0);
        final long nk = num("linear_num_key_heads");
        final long dk = num("linear_key_head_dim");
        final long nv = num("linear_num_value_heads");
        final long dv = num("linear_value_head_dim");
        final long kernel = opt("linear_conv_kernel_dim", 4);
        long linear = 0;
        for (final JsonNode t : c.path("layer_types")) {
            if ("linear_attention".equals(t.asText())) {
                linear++;
            }
        }
        if (!c.path("layer_types").isArray()) {
            missing.add("layer_types");
        }
        final long full = layers - linear;
        final boolean gate = c.path("attn_output_gate").asBoolean(false);
        final double fullAttn = (gate ? 2.0 : 1.0) * h * heads * headDim + 2.0 * h * kvHeads * headDim
            + (double) heads * headDim * h;
        final double linearAttn = h * (2.0 * nk * dk + 2.0 * nv * dv) + 2.0 * h * nv
            + (2.0 * nk * dk + nv * dv) * kernel + (double) nv * dv * h;
        final double shared = 3.0 * h * sharedInter + h;
        final double expertParams = layers * experts * 3.0 * h * expertInter;
        final double attn = full * fullAttn + linear * linearAttn;
        final double total = attn + layers * (shared + (double) h * experts) + expertParams;
        final double active = attn + layers * (shared + (double) h * experts + topK * 3.0 * h * expertInter);
        // Each linear layer keeps an FP32 state of nv x dk x dv and a BF16 convolution window per request.
        final double state = linear * (nv * dk * dv * 4.0 + (2.0 * nk * dk + nv * dv) * (kernel - 1) * 2.0);
        final AttentionShape shape = new AttentionShape((int) full, 0, 0, (int) linear, (int) heads, (int) kvHeads,
            (int) headDim, (int) headDim, 0, 0, 0, 0, state);
        return assemble(name, arch, layers, h, heads, kvHeads, headDim, 0, (int) expertInter, experts, topK, context,
            total, active, expertParams, vocab, shape, precision);
    }

    private ModelSpec assemble(final String name, final String arch, final long layers, final long h, final long heads,
                               final long kvHeads, final long headDim, final long inter, final int expertInter,
                               final long experts, final long topK, final long context, final double body,
                               final double activeBody, final double expertParams, final long vocab,
                               final AttentionShape shape, final Precision precision) {
        final boolean tied = c.path("tie_word_embeddings").asBoolean(false);
        final double lmHead = (double) vocab * h;
        final double embeddings = tied ? lmHead : 2 * lmHead;
        return new ModelSpec(name, arch, (int) layers, (int) h, (int) heads, (int) kvHeads, (int) headDim, (int) inter,
            expertInter, (int) experts, (int) topK, (int) context, (body + embeddings) / 1e9, (activeBody + lmHead) / 1e9,
            expertParams / 1e9, embeddings / 1e9, lmHead / 1e9, shape, precision, blockSize);
    }

    /** A short description of the derived facts, for logs and errors. */
    public static String describe(final ModelSpec s) {
        return String.format(Locale.ROOT, "%s (%s): %.1f B parameters, %.1f B active, %d layers, KV %.0f bytes/token, %s",
            s.name(), s.architecture(), s.paramsB(), s.activeParamsB(), s.layers(), s.kvBytes(), s.precision().label());
    }
}
