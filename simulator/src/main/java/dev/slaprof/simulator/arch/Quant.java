package dev.slaprof.simulator.arch;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a group of weights is stored and which tensor-core precision multiplies it.
 *
 * <p>Bytes per parameter include the scales: FP8 block scaling keeps one FP32 scale per 128x128 block
 * (4 / 16384 bytes per weight); NVFP4 one FP8 scale per 16 weights (1/16); MXFP4 one E8M0 scale per 32 (1/32); INT4
 * weight-only one BF16 scale per group of 32 (2/32, the group size of the INT4 checkpoints in the silicon sample).
 */
public enum Quant {
    /** Unquantized BF16 (or FP16). */
    BF16("bf16", 2.0, Compute.BF16),
    /** FP8 E4M3 with a per-tensor or per-channel scale; FP8 GEMMs. */
    FP8("fp8", 1.0, Compute.FP8),
    /** FP8 E4M3 with 128x128 block scales (DeepSeek's format); FP8 GEMMs. */
    FP8_BLOCK("fp8_block", 1.0 + 4.0 / (128 * 128), Compute.FP8),
    /** NVIDIA FP4 (E2M1) with an FP8 scale per 16 weights; FP4 GEMMs where the GPU has them. */
    NVFP4("nvfp4", 0.5 + 1.0 / 16, Compute.FP4),
    /** OCP MX FP4 with an E8M0 scale per 32 weights; FP4 GEMMs where the GPU has them. */
    MXFP4("mxfp4", 0.5 + 1.0 / 32, Compute.FP4),
    /** INT4 weights with a BF16 scale per group of 32; BF16 activations, so BF16 GEMMs (weight-only). */
    INT4_WO("int4_wo", 0.5 + 2.0 / 32, Compute.BF16);

    /** The tensor-core precision a GEMM runs at. */
    public enum Compute {
        BF16, FP8, FP4
    }

    private final String label;
    private final double bytesPerParam;
    private final Compute compute;

    Quant(final String label, final double bytesPerParam, final Compute compute) {
        this.label = label;
        this.bytesPerParam = bytesPerParam;
        this.compute = compute;
    }

    /** The name used in the silicon CSV's gemm_quant_mode / moe_quant_mode columns and on the command line. */
    public String label() {
        return label;
    }

    /** Stored bytes per weight, scales included. */
    public double bytesPerParam() {
        return bytesPerParam;
    }

    /** The tensor-core precision of its GEMMs (before falling back on GPUs that lack it). */
    public Compute compute() {
        return compute;
    }

    /**
     * The quantization named {@code s}: a label above, or {@code float16}/{@code fp16} for BF16, {@code fp4} for NVFP4
     * and {@code int4} for INT4 weight-only, as the silicon sample's precision column writes them.
     */
    public static Quant parse(final String s) {
        final String k = s.trim().toLowerCase(Locale.ROOT);
        switch (k) {
            case "float16", "fp16", "bfloat16", "bf16", "" -> {
                return BF16;
            }
            case "fp4" -> {
                return NVFP4;
            }
            case "int4", "w4a16" -> {
                return INT4_WO;
            }
            default -> {
                for (final Quant q : values()) {
                    if (q.label.equals(k)) {
                        return q;
                    }
                }
                throw new IllegalArgumentException("unknown quantization '" + s + "'; known: "
                    + Arrays.stream(values()).map(Quant::label).toList() + " (also fp4, int4, fp16)");
            }
        }
    }
}
