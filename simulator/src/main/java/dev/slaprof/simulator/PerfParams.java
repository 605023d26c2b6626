package dev.slaprof.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Efficiency factors of {@link PerfModel} (config/perf-model.yaml; fitted in docs/CALIBRATION.md). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PerfParams(
    @JsonProperty("prefill_linear_efficiency") double prefillLinearEfficiency,
    @JsonProperty("prefill_attention_efficiency") double prefillAttentionEfficiency,
    @JsonProperty("prefill_overhead_ms") double prefillOverheadMs,
    @JsonProperty("decode_bandwidth_efficiency") double decodeBandwidthEfficiency,
    @JsonProperty("decode_compute_efficiency") double decodeComputeEfficiency,
    @JsonProperty("decode_overlap") double decodeOverlap,
    @JsonProperty("step_overhead_ms") double stepOverheadMs,
    @JsonProperty("allreduce_latency_us") double allreduceLatencyUs,
    @JsonProperty("gpu_memory_utilization") double gpuMemoryUtilization,
    @JsonProperty("block_size") int blockSize) {
}
