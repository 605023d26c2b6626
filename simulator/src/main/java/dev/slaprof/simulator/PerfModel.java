package dev.slaprof.simulator;

import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Strategy;

/**
 * Physical performance model of one engine (model x GPU x mapping), the role AI Configurator plays for Dynamo.
 * Times in milliseconds, sizes in bytes and tokens. Per attention-DP rank: each rank serves its own requests.
 *
 * <p>Prefill (batch 1): {@code overhead + 2·active·ISL / (peak·e_lin·tp) + 2·layers·ISL²·heads·head_dim /
 * (peak·e_attn·tp) + communication}. Qwen3-32B TP1 on H200 at ISL 2621: 11.3 + 223 + 15 ≈ 249 ms.
 *
 * <p>Decode step: {@code overhead + max(mem, comp) + overlap·min(mem, comp) + communication}, with
 * {@code mem = (weights per GPU + active KV bytes per GPU) / (HBM·e_bw)} and {@code comp = 2·active·batch /
 * (peak·e_comp·tp)}: ITL grows near-linearly with active KV at fixed context, and faster per token of KV as
 * context shrinks (the batch term).
 */
public final class PerfModel {
    private final ModelSpec model;
    private final GpuSpec gpu;
    private final PerfParams p;
    private final Mapping mapping;
    private final int computeSplit;
    private final int kvSplit;

    public PerfModel(final ModelSpec model, final GpuSpec gpu, final PerfParams params, final Mapping mapping) {
        this.model = model;
        this.gpu = gpu;
        this.p = params;
        this.mapping = mapping;
        final boolean dep = mapping.getStrategy() == Strategy.DEP;
        // DEP runs attention data-parallel: each rank computes its requests on one GPU's attention.
        this.computeSplit = dep ? 1 : mapping.getTp();
        this.kvSplit = dep ? 1 : Math.min(mapping.getTp(), Math.max(1, model.numKvHeads()));
    }

    public Mapping mapping() {
        return mapping;
    }

    public ModelSpec model() {
        return model;
    }

    /** Attention data-parallel ranks. */
    public int ranks() {
        return Math.max(1, mapping.getAttnDp());
    }

    private double peakFlops() {
        return gpu.tflopsBf16() * 1e12;
    }

    /** Weight bytes resident on each GPU: dense part split by TP (replicated under DEP), experts split by EP. */
    public double weightBytesPerGpu() {
        final double total = model.weightBytes();
        if (!model.isMoe()) {
            return total / mapping.getTp();
        }
        final double expert = model.expertParamsB() * 1e9 * model.bytesPerParam();
        final double dense = total - expert;
        final int expertSplit = mapping.getStrategy() == Strategy.TP ? mapping.getTp() : Math.max(1, mapping.getEp());
        final int denseSplit = mapping.getStrategy() == Strategy.DEP ? 1 : mapping.getTp();
        return dense / denseSplit + expert / expertSplit;
    }

    /**
     * One prefill step over several requests batched together (as vLLM batches prefills up to its token budget):
     * the overhead once, the GEMMs over all tokens, attention per request. {@code prefillBatchMs(isl)} equals
     * {@link #prefillMs}.
     */
    public double prefillBatchMs(final int... isls) {
        double linearTokens = 0;
        double attention = 0;
        double activationTokens = 0;
        for (final int isl : isls) {
            linearTokens += isl;
            attention += 2.0 * model.layers() * (double) isl * isl * model.numAttentionHeads() * model.headDim();
            activationTokens += isl;
        }
        final double linear = 2.0 * model.activeParamsB() * 1e9 * linearTokens;
        final double compute = linear / (peakFlops() * p.prefillLinearEfficiency() * computeSplit)
            + attention / (peakFlops() * p.prefillAttentionEfficiency() * computeSplit);
        return p.prefillOverheadMs() + compute * 1000 + communicationMs(activationTokens * model.hiddenSize() * 2);
    }

    /** Prefill time of one request of {@code isl} uncached tokens, ms. */
    public double prefillMs(final int isl) {
        final double linear = 2.0 * model.activeParamsB() * 1e9 * isl;
        final double attention = 2.0 * model.layers() * (double) isl * isl * model.numAttentionHeads() * model.headDim();
        final double compute = linear / (peakFlops() * p.prefillLinearEfficiency() * computeSplit)
            + attention / (peakFlops() * p.prefillAttentionEfficiency() * computeSplit);
        final double activationBytes = (double) isl * model.hiddenSize() * 2;
        return p.prefillOverheadMs() + compute * 1000 + communicationMs(activationBytes);
    }

    /** One decode step of a rank with {@code batch} requests holding {@code kvTokens} tokens of context, ms. */
    public double decodeStepMs(final int batch, final long kvTokens) {
        if (batch <= 0) {
            return 0;
        }
        final double kvBytesPerGpu = kvTokens * model.kvBytes() / kvSplit;
        final double mem = (weightBytesPerGpu() + kvBytesPerGpu) / (gpu.hbmGbps() * 1e9 * p.decodeBandwidthEfficiency());
        final double comp = 2.0 * model.activeParamsB() * 1e9 * batch
            / (peakFlops() * p.decodeComputeEfficiency() * computeSplit);
        final double core = Math.max(mem, comp) + p.decodeOverlap() * Math.min(mem, comp);
        final double activationBytes = (double) batch * model.hiddenSize() * 2;
        return p.stepOverheadMs() + core * 1000 + communicationMs(activationBytes);
    }

    /** The communication part of {@link #prefillMs}: TP all-reduces and EP all-to-alls of one request, ms. */
    public double prefillCommunicationMs(final int isl) {
        return communicationMs((double) isl * model.hiddenSize() * 2);
    }

    /** All-reduce (TP) and all-to-all (EP) time per forward pass for {@code bytes} of activations, ms. */
    private double communicationMs(final double bytes) {
        double ms = 0;
        final double link = gpu.nvlinkGbps() * 1e9;
        final int tp = computeSplit;
        if (tp > 1) {
            // Ring all-reduce, two per layer: 2(tp-1) hops, each paying a launch/sync latency (10 us per hop on
            // TP2 as calibrated), and 2(tp-1)/tp of the activations over NVLink.
            ms += 2.0 * model.layers() * ((tp - 1) * p.allreduceLatencyUs() / 1000
                + 2.0 * (tp - 1) / tp * bytes / link * 1000);
        }
        if (model.isMoe() && mapping.getEp() > 1) {
            final int ep = mapping.getEp();
            // Dispatch and combine all-to-all, two per layer, top-k copies of each token.
            final double moeBytes = bytes * Math.max(1, model.expertsPerToken()) / Math.max(1, ranks());
            ms += 2.0 * model.layers() * (p.allreduceLatencyUs() / 1000 + (ep - 1.0) / ep * moeBytes / link * 1000);
        }
        return ms;
    }

    /** KV-cache capacity of one rank in tokens, a whole number of blocks; 0 when the weights do not fit. */
    public long kvTokensPerRank() {
        final double free = gpu.hbmGb() * 1e9 * p.gpuMemoryUtilization() - weightBytesPerGpu();
        if (free <= 0) {
            return 0;
        }
        final long tokens = (long) Math.floor(free * kvSplit / model.kvBytes());
        return tokens / p.blockSize() * p.blockSize();
    }

    /** KV capacity of the whole engine (all attention-DP ranks), tokens. */
    public long kvTokens() {
        return kvTokensPerRank() * ranks();
    }
}
