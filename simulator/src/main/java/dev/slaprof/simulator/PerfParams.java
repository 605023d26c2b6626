package dev.slaprof.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The fitted constants of {@link PerfModel} (config/perf-model.yaml; fitted in docs/CALIBRATION.md), for one backend.
 *
 * @param gemmEfficiency       share of the dense tensor peak large GEMMs reach
 * @param gemmHalfTokens       tokens in a step at which GEMMs reach half of {@code gemmEfficiency} (small batches
 *                             cannot fill the tensor cores: efficiency = e x tokens / (tokens + this))
 * @param attentionEfficiency  share of the BF16 peak prefill attention reaches
 * @param bandwidthEfficiency  share of HBM bandwidth reached streaming weights and KV
 * @param overlap              share of the smaller of compute and memory time that does not overlap the larger
 * @param stepOverheadMs       per forward step: scheduling, sampling, ms
 * @param layerOverheadUs      per layer of a forward step: kernel launches and the small kernels between GEMMs
 *                             (norms, rotary, routing), microseconds
 * @param prefillOverheadMs    extra per step that prefills (input preparation, sampling setup), ms
 * @param requestOverheadMs    per request, outside the engine's steps: the HTTP frontend, tokenisation and
 *                             detokenisation a client's TTFT includes, ms
 * @param allreduceLatencyUs   fixed cost of one all-reduce on NVLink (TP > 1; two per layer), microseconds
 * @param alltoallLatencyUs    fixed cost of one MoE all-to-all (EP > 1; dispatch and combine per layer), microseconds
 * @param gpuMemoryUtilization share of HBM the engine may use for weights and KV cache
 * @param blockSize            KV-cache block size, tokens
 * @param maxBatchedTokens     tokens one step may process (vLLM max_num_batched_tokens, SGLang
 *                             chunked_prefill_size, TRT-LLM max_num_tokens)
 * @param scheduler            how a step is composed: {@code mixed} (decodes plus prefill chunks in one step: vLLM
 *                             V1, TRT-LLM in-flight batching) or {@code prefill_first} (a waiting prompt's chunk runs
 *                             alone before decodes resume: SGLang)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PerfParams(
    @JsonProperty("gemm_efficiency") double gemmEfficiency,
    @JsonProperty("gemm_half_tokens") double gemmHalfTokens,
    @JsonProperty("attention_efficiency") double attentionEfficiency,
    @JsonProperty("bandwidth_efficiency") double bandwidthEfficiency,
    @JsonProperty("overlap") double overlap,
    @JsonProperty("step_overhead_ms") double stepOverheadMs,
    @JsonProperty("layer_overhead_us") double layerOverheadUs,
    @JsonProperty("prefill_overhead_ms") double prefillOverheadMs,
    @JsonProperty("request_overhead_ms") double requestOverheadMs,
    @JsonProperty("allreduce_latency_us") double allreduceLatencyUs,
    @JsonProperty("alltoall_latency_us") double alltoallLatencyUs,
    @JsonProperty("gpu_memory_utilization") double gpuMemoryUtilization,
    @JsonProperty("block_size") int blockSize,
    @JsonProperty("max_batched_tokens") int maxBatchedTokens,
    @JsonProperty("scheduler") String scheduler) {

    /** The fitted constants, in the order {@link #withFitted} takes them. */
    public double[] fitted() {
        return new double[] {gemmEfficiency, gemmHalfTokens, attentionEfficiency, bandwidthEfficiency, overlap,
            stepOverheadMs, layerOverheadUs, prefillOverheadMs, requestOverheadMs, allreduceLatencyUs,
            alltoallLatencyUs};
    }

    /** Names of {@link #fitted()}, as in config/perf-model.yaml. */
    public static final String[] FITTED = {"gemm_efficiency", "gemm_half_tokens", "attention_efficiency",
        "bandwidth_efficiency", "overlap", "step_overhead_ms", "layer_overhead_us", "prefill_overhead_ms",
        "request_overhead_ms",
        "allreduce_latency_us", "alltoall_latency_us"};

    /** These parameters with the fitted constants replaced by {@code x} (same order as {@link #fitted()}). */
    public PerfParams withFitted(final double[] x) {
        return new PerfParams(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10],
            gpuMemoryUtilization, blockSize, maxBatchedTokens, scheduler);
    }

    /** True for SGLang's prefill-first steps; false for mixed steps. */
    public boolean prefillFirst() {
        return "prefill_first".equals(scheduler);
    }
}
