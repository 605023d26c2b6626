package dev.slaprof.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Published figures of a GPU.
 *
 * @param name       SKU, e.g. H200-SXM
 * @param tflopsBf16 dense BF16 tensor TFLOPS (989 for H100/H200)
 * @param hbmGbps    HBM bandwidth, GB/s (1e9 bytes; 4800 for H200)
 * @param hbmGb      HBM size, GB (1e9 bytes; 141 for H200)
 * @param nvlinkGbps NVLink bandwidth per GPU and direction, GB/s
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GpuSpec(
    String name,
    @JsonProperty("tflops_bf16") double tflopsBf16,
    @JsonProperty("hbm_gbps") double hbmGbps,
    @JsonProperty("hbm_gb") double hbmGb,
    @JsonProperty("nvlink_gbps") double nvlinkGbps) {

    /** Copy with the name set (the YAML map key). */
    public GpuSpec named(final String n) {
        return new GpuSpec(n, tflopsBf16, hbmGbps, hbmGb, nvlinkGbps);
    }
}
