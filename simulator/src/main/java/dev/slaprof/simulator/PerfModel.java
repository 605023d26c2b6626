package dev.slaprof.simulator;

import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Strategy;
import dev.slaprof.simulator.arch.Quant;

/**
 * Physical performance model of one engine (model x GPU x mapping x precision), the role AI Configurator plays for
 * Dynamo. Times in milliseconds, sizes in bytes and tokens. Per attention-DP rank: each rank serves its own requests.
 *
 * <p>Every forward step, whether it prefills, decodes or both (a mixed step of vLLM V1 or TRT-LLM), costs
 * <pre>
 *   step = overhead + layers x per-layer overhead (+ prefill overhead) + max(mem, gemm) + overlap x min(mem, gemm)
 *          + attention + communication
 *   gemm = 2 x (dense x tokens / peak[gemm precision] / e(tokens) + active experts x tokens / peak[moe precision]
 *          / e(tokens per expert) + LM head x logits / peak[BF16] / e(logits)) / TP,  e(m) = e_gemm x m / (m + m_half)
 *   mem  = (dense weights / TP + expert weights / EP x experts hit + KV read + KV written) / (HBM x e_bw)
 *   attention = causal prefill FLOPs (windows, sparse top-k, indexer) / (peak[BF16] x e_attn x TP)
 *   communication = 2 per layer x (a + min(one-shot, two-shot)) all-reduces (TP), 2 per MoE layer all-to-alls (EP)
 * </pre>
 * The share of a GPU's experts a step touches is {@code 1 - (1 - k/E)^tokens} (each token picks k of E), so a
 * small decode batch reads only the experts it uses. docs/CALIBRATION.md states every term and its fit.
 */
public final class PerfModel {
    private final ModelSpec model;
    private final GpuSpec gpu;
    private final PerfParams p;
    private final Mapping mapping;
    private final int computeSplit;
    private final int kvSplit;
    private final int denseSplit;
    private final int expertSplit;

    public PerfModel(final ModelSpec model, final GpuSpec gpu, final PerfParams params, final Mapping mapping) {
        this.model = model;
        this.gpu = gpu;
        this.p = params;
        this.mapping = mapping;
        final boolean dep = mapping.getStrategy() == Strategy.DEP;
        // DEP runs attention data-parallel: each rank computes its requests on one GPU's attention.
        this.computeSplit = dep ? 1 : mapping.getTp();
        // MLA's one latent per token is replicated on every TP rank; GQA's KV heads split up to their count.
        this.kvSplit = dep || model.attention().mla() ? 1 : Math.min(mapping.getTp(), Math.max(1, model.numKvHeads()));
        this.denseSplit = dep ? 1 : mapping.getTp();
        this.expertSplit = mapping.getStrategy() == Strategy.TP ? mapping.getTp() : Math.max(1, mapping.getEp());
    }

    public Mapping mapping() {
        return mapping;
    }

    public ModelSpec model() {
        return model;
    }

    public PerfParams params() {
        return p;
    }

    /** Attention data-parallel ranks. */
    public int ranks() {
        return Math.max(1, mapping.getAttnDp());
    }

    /** Weight bytes resident on each GPU: dense part split by TP (replicated under DEP), experts split by EP. */
    public double weightBytesPerGpu() {
        return model.nonExpertWeightBytes() / denseSplit + model.expertWeightBytes() / expertSplit;
    }

    /** Attention FLOPs of a prefill chunk of {@code tokens} after {@code cached} tokens of the same request. */
    public double prefillAttentionFlops(final long tokens, final long cached) {
        return model.attention().prefillFlops(tokens, cached);
    }

    /**
     * One forward step of a rank, ms.
     *
     * @param decodeBatch       requests decoding one token
     * @param decodeContext     their context tokens, summed
     * @param prefillTokens     prompt tokens prefilled in this step (all chunks)
     * @param prefillCached     context the chunks attend to beyond themselves (earlier chunks, cached prefixes), summed
     * @param prefillAttnFlops  the chunks' attention FLOPs ({@link #prefillAttentionFlops}, summed)
     * @param prefillsEnding    prompts whose last chunk is in this step (each computes logits once)
     */
    public double stepMs(final int decodeBatch, final long decodeContext, final long prefillTokens,
                         final long prefillCached, final double prefillAttnFlops, final int prefillsEnding) {
        final long tokens = decodeBatch + prefillTokens;
        if (tokens <= 0) {
            return 0;
        }
        final double bf16 = gpu.peakFlops(Quant.Compute.BF16);
        final int logits = decodeBatch + prefillsEnding;
        // Each GEMM's efficiency follows its own row count: the step's tokens for the dense GEMMs, the tokens each
        // expert receives for the grouped expert GEMMs (top-k copies spread over the experts), the logits' rows.
        final long routed = tokens * (computeSplit == 1 ? ranks() : 1);
        final double expertRows = model.isMoe() ? Math.max(1.0, (double) routed * model.expertsPerToken()
            / model.numExperts() / Math.max(1e-9, expertsHit(routed))) : tokens;
        final double gemm = 2.0 * 1e9 * (model.denseParamsB() * tokens
            / gpu.peakFlops(model.precision().gemm().compute()) / gemmEfficiency(tokens)
            + model.activeExpertParamsB() * tokens / gpu.peakFlops(model.precision().moe().compute())
            / gemmEfficiency(expertRows)
            + model.lmHeadParamsB() * logits / bf16 / gemmEfficiency(logits)) / computeSplit;
        final double kvElement = model.precision().kvBytes();
        final double kvRead = decodeBatch == 0 ? 0
            : decodeBatch * model.attention().decodeReadBytes(decodeContext / decodeBatch, kvElement);
        final double kvTraffic = (kvRead + (prefillCached + prefillTokens) * model.kvBytes()) / kvSplit;
        final double bytes = model.nonExpertWeightBytes() / denseSplit
            + model.expertWeightBytes() / expertSplit * expertsHit(tokens * (computeSplit == 1 ? ranks() : 1))
            + kvTraffic;
        final double mem = bytes / (gpu.hbmGbps() * 1e9 * p.bandwidthEfficiency());
        final double attention = prefillAttnFlops / (bf16 * p.attentionEfficiency() * computeSplit);
        final double core = Math.max(mem, gemm) + p.overlap() * Math.min(mem, gemm) + attention;
        return p.stepOverheadMs() + model.layers() * p.layerOverheadUs() / 1000
            + (prefillTokens > 0 ? p.prefillOverheadMs() : 0) + core * 1000 + communicationMs(tokens);
    }

    /** The share of the peak a GEMM of {@code rows} rows reaches: e x rows / (rows + m_half). */
    private double gemmEfficiency(final double rows) {
        final double m = Math.max(1, rows);
        return p.gemmEfficiency() * m / (m + p.gemmHalfTokens());
    }

    /** The share of a GPU's routed experts that {@code tokens} routed tokens touch; 1 for dense models. */
    double expertsHit(final long tokens) {
        if (!model.isMoe() || model.expertsPerToken() <= 0) {
            return 1;
        }
        final double miss = 1.0 - Math.min(1.0, (double) model.expertsPerToken() / model.numExperts());
        return 1.0 - Math.pow(miss, tokens);
    }

    /**
     * One prefill step over several requests batched together (as the engines batch prefills up to their token
     * budget): the overhead once, the GEMMs over all tokens, attention per request. {@code prefillBatchMs(isl)}
     * equals {@link #prefillMs} for a prompt that fits one chunk.
     */
    public double prefillBatchMs(final int... isls) {
        long tokens = 0;
        double attention = 0;
        for (final int isl : isls) {
            tokens += isl;
            attention += prefillAttentionFlops(isl, 0);
        }
        return stepMs(0, 0, tokens, 0, attention, isls.length);
    }

    /**
     * Prefill time of one request of {@code isl} uncached tokens on an idle rank, ms: the chunks of at most
     * {@code max_batched_tokens} tokens its scheduler runs one after the other, each attending to the ones before.
     */
    public double prefillMs(final int isl) {
        final int chunk = Math.max(1, p.maxBatchedTokens());
        double ms = 0;
        for (int done = 0; done < isl; done += chunk) {
            final int t = Math.min(chunk, isl - done);
            ms += stepMs(0, 0, t, done, prefillAttentionFlops(t, done), done + t == isl ? 1 : 0);
        }
        return ms;
    }

    /** One decode step of a rank with {@code batch} requests holding {@code kvTokens} tokens of context, ms. */
    public double decodeStepMs(final int batch, final long kvTokens) {
        if (batch <= 0) {
            return 0;
        }
        return stepMs(batch, kvTokens, 0, 0, 0, 0);
    }

    /** The communication part of {@link #prefillMs}: TP all-reduces and EP all-to-alls of its chunks, ms. */
    public double prefillCommunicationMs(final int isl) {
        final int chunk = Math.max(1, p.maxBatchedTokens());
        double ms = 0;
        for (int done = 0; done < isl; done += chunk) {
            ms += communicationMs(Math.min(chunk, isl - done));
        }
        return ms;
    }

    /** All-reduce (TP) and all-to-all (EP) time of one forward pass over {@code tokens} tokens, ms. */
    private double communicationMs(final long tokens) {
        final double bytes = (double) tokens * model.hiddenSize() * 2;
        final double link = gpu.nvlinkGbps() * 1e9;
        final double alpha = p.allreduceLatencyUs() / 1e6;
        double s = 0;
        final int tp = computeSplit;
        if (tp > 1) {
            // One-shot: every rank reads each peer's whole buffer; two-shot: reduce-scatter then all-gather, one more
            // synchronisation. The engines' custom all-reduce picks the faster; NCCL's ring moves the two-shot's bytes.
            final double oneShot = (tp - 1) * bytes / link;
            final double twoShot = 2.0 * (tp - 1) / tp * bytes / link + alpha;
            s += 2.0 * model.layers() * (alpha + Math.min(oneShot, twoShot));
        }
        if (model.isMoe() && mapping.getEp() > 1) {
            final int ep = mapping.getEp();
            // Dispatch and combine per layer, top-k copies of each token leave the rank.
            final double moeBytes = bytes * Math.max(1, model.expertsPerToken());
            s += 2.0 * model.layers() * (p.alltoallLatencyUs() / 1e6 + (ep - 1.0) / ep * moeBytes / link);
        }
        return s * 1000;
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
