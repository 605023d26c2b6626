package dev.slaprof.simulator.arch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The precision a checkpoint declares: {@code quantization_config} of config.json (top level or text_config) or a
 * ModelOpt {@code hf_quant_config.json}. FP8 (per-tensor or 128x128 blocks), ModelOpt NVFP4/FP8, MXFP4 (gpt-oss:
 * experts only), compressed-tensors INT4 weight-only or FP8; no declaration is BF16. A declared method slaprof cannot
 * express is an error naming it, never a silent BF16.
 */
final class Quantization {
    private Quantization() {
    }

    static Precision of(final String source, final JsonNode root, final JsonNode hfQuant) {
        if (hfQuant != null && hfQuant.has("quantization")) {
            final JsonNode q = hfQuant.path("quantization");
            final Quant w = modelopt(source, q.path("quant_algo").asText(""));
            return new Precision(w, w, Precision.kvBytes(q.path("kv_cache_quant_algo").asText("")));
        }
        final JsonNode qc = config(root);
        if (qc == null) {
            return Precision.BF16;
        }
        final String method = qc.path("quant_method").asText("").toLowerCase(Locale.ROOT);
        switch (method) {
            case "fp8" -> {
                final Quant q = qc.has("weight_block_size") ? Quant.FP8_BLOCK : Quant.FP8;
                return new Precision(q, q, 2);
            }
            case "mxfp4" -> {
                // gpt-oss: experts in MXFP4; attention, router, embeddings unconverted (modules_to_not_convert).
                return new Precision(Quant.BF16, Quant.MXFP4, 2);
            }
            case "modelopt" -> {
                final Quant w = modelopt(source, qc.path("quant_algo").asText(""));
                return new Precision(w, w, Precision.kvBytes(qc.path("kv_cache_quant_algo").asText("")));
            }
            case "compressed-tensors" -> {
                return compressedTensors(source, qc);
            }
            default -> throw new IllegalArgumentException(source + ": quantization_config.quant_method '" + method
                + "' is not supported; supported: fp8, mxfp4, modelopt (FP8, NVFP4), compressed-tensors (INT4, FP8)");
        }
    }

    private static JsonNode config(final JsonNode root) {
        if (root.has("quantization_config")) {
            return root.path("quantization_config");
        }
        final JsonNode text = root.path("text_config");
        return text.has("quantization_config") ? text.path("quantization_config") : null;
    }

    private static Quant modelopt(final String source, final String algo) {
        return switch (algo.toUpperCase(Locale.ROOT)) {
            case "NVFP4", "W4A4_NVFP4" -> Quant.NVFP4;
            case "FP8", "FP8_PER_CHANNEL_PER_TOKEN" -> Quant.FP8;
            case "FP8_BLOCK_SCALES" -> Quant.FP8_BLOCK;
            case "W4A16_AWQ", "INT4_AWQ" -> Quant.INT4_WO;
            default -> throw new IllegalArgumentException(source + ": ModelOpt quant_algo '" + algo
                + "' is not supported; supported: NVFP4, FP8, FP8_BLOCK_SCALES, W4A16_AWQ");
        };
    }

    /** compressed-tensors: the first config group's weights decide (Kimi-K2.5: INT4 groups of 32 on its experts). */
    private static Precision compressedTensors(final String source, final JsonNode qc) {
        final JsonNode groups = qc.path("config_groups");
        if (!groups.fields().hasNext()) {
            throw new IllegalArgumentException(source + ": compressed-tensors quantization without config_groups");
        }
        final JsonNode w = groups.fields().next().getValue().path("weights");
        final int bits = w.path("num_bits").asInt(0);
        final String type = w.path("type").asText("");
        final Quant q;
        if (bits == 4 && "int".equals(type)) {
            q = Quant.INT4_WO;
        } else if (bits == 8 && "float".equals(type)) {
            q = Quant.FP8;
        } else {
            throw new IllegalArgumentException(source + ": compressed-tensors weights of " + bits + "-bit " + type
                + " are not supported; supported: 4-bit int (weight-only), 8-bit float");
        }
        // Attention left unquantized by an 'ignore' pattern keeps its GEMMs in BF16.
        final boolean attentionIgnored = qc.path("ignore").toString().contains("self_attn");
        return new Precision(attentionIgnored ? Quant.BF16 : q, q, 2);
    }

    /** The weights' quantization block (weight_block_size, block_size, group_size or q_group_size); 0 = none. */
    static int blockSize(final JsonNode root) {
        final JsonNode qc = config(root);
        if (qc == null) {
            return 0;
        }
        for (final String f : new String[] {"weight_block_size", "block_size", "group_size", "q_group_size"}) {
            final JsonNode v = qc.get(f);
            if (v != null && v.isArray()) {
                int max = 0;
                for (final JsonNode e : v) {
                    max = Math.max(max, e.asInt());
                }
                return max;
            }
            if (v != null && v.isNumber()) {
                return v.asInt();
            }
        }
        return 0;
    }
}
