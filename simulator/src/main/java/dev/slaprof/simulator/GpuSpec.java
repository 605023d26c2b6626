package dev.slaprof.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.slaprof.simulator.arch.Quant;

/**
 * Published figures of a GPU (config/gpus.yaml, each with its datasheet).
 *
 * @param name         SKU, e.g. H200-SXM
 * @param tflopsBf16   dense BF16 tensor TFLOPS (989 for H100/H200)
 * @param tflopsFp8    dense FP8 tensor TFLOPS; 0 when the GPU has no FP8 tensor cores
 * @param tflopsFp4    dense FP4 tensor TFLOPS; 0 when the GPU has no FP4 tensor cores
 * @param hbmGbps      HBM bandwidth, GB/s (1e9 bytes; 4800 for H200)
 * @param hbmGb        HBM size, GB (1e9 bytes; 141 for H200)
 * @param nvlinkGbps   NVLink bandwidth per GPU and direction, GB/s
 * @param nvlinkDomain GPUs one NVLink domain joins (8 for HGX, 72 for NVL72)
 * @param generation   architecture generation (ampere, hopper, blackwell): the fitted constants can differ by it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GpuSpec(
    String name,
    @JsonProperty("tflops_bf16") double tflopsBf16,
    @JsonProperty("tflops_fp8") double tflopsFp8,
    @JsonProperty("tflops_fp4") double tflopsFp4,
    @JsonProperty("hbm_gbps") double hbmGbps,
    @JsonProperty("hbm_gb") double hbmGb,
    @JsonProperty("nvlink_gbps") double nvlinkGbps,
    @JsonProperty("nvlink_domain") int nvlinkDomain,
    @JsonProperty("generation") String generation) {

    /** Copy with the name set (the YAML map key). */
    public GpuSpec named(final String n) {
        return new GpuSpec(n, tflopsBf16, tflopsFp8, tflopsFp4, hbmGbps, hbmGb, nvlinkGbps, nvlinkDomain, generation);
    }

    /**
     * Dense peak FLOP/s of GEMMs at {@code c}: a precision the GPU lacks runs as the next wider one it has (FP4
     * weights dequantized to FP8 where there is FP8, else BF16), as the engines' weight-only kernels do.
     */
    public double peakFlops(final Quant.Compute c) {
        final double tflops = switch (c) {
            case FP4 -> tflopsFp4 > 0 ? tflopsFp4 : tflopsFp8 > 0 ? tflopsFp8 : tflopsBf16;
            case FP8 -> tflopsFp8 > 0 ? tflopsFp8 : tflopsBf16;
            case BF16 -> tflopsBf16;
        };
        return tflops * 1e12;
    }
}
