package dev.slaprof.simulator.arch;

import java.util.Locale;

/**
 * The precision a model is served at: its dense GEMMs (attention projections, dense MLPs, shared experts), its routed
 * experts, and its KV cache. Embeddings and the LM head stay BF16, as every checkpoint in the silicon sample keeps
 * them.
 *
 * @param gemm    dense GEMM weights
 * @param moe     routed-expert weights (ignored by dense models)
 * @param kvBytes bytes per KV-cache element (2 = BF16, 1 = FP8)
 */
public record Precision(Quant gemm, Quant moe, double kvBytes) {
    /** Unquantized BF16 with a BF16 KV cache. */
    public static final Precision BF16 = new Precision(Quant.BF16, Quant.BF16, 2);

    public Precision {
        if (kvBytes != 1 && kvBytes != 2) {
            throw new IllegalArgumentException("KV-cache element size must be 1 (FP8) or 2 (BF16) bytes, got " + kvBytes);
        }
    }

    /** Parses a KV-cache dtype: bf16, fp16, auto (BF16) or fp8 (and its e4m3/e5m2 spellings). */
    public static double kvBytes(final String dtype) {
        final String k = dtype.trim().toLowerCase(Locale.ROOT);
        if (k.isEmpty() || k.equals("auto") || k.equals("bf16") || k.equals("bfloat16") || k.equals("fp16")
            || k.equals("float16")) {
            return 2;
        }
        if (k.startsWith("fp8")) {
            return 1;
        }
        throw new IllegalArgumentException("unknown KV-cache dtype '" + dtype + "'; known: bf16, fp8");
    }

    /** This precision with the weights of both kinds set to {@code q}. */
    public Precision withWeights(final Quant q) {
        return new Precision(q, q, kvBytes);
    }

    /** A short label, e.g. {@code fp8/nvfp4 kv fp8}. */
    public String label() {
        return (gemm == moe ? gemm.label() : gemm.label() + "/" + moe.label()) + " kv " + (kvBytes == 1 ? "fp8" : "bf16");
    }
}
