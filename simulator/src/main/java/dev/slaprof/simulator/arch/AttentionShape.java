package dev.slaprof.simulator.arch;

/**
 * The attention of a model, as far as memory and FLOPs go: how many layers attend over the whole context, over a
 * sliding window, or keep a fixed recurrent state instead (linear attention); the head shapes; MLA's latent; a sparse
 * top-k selector (DeepSeek Sparse Attention).
 *
 * @param fullLayers      layers attending over the whole context
 * @param slidingLayers   layers attending over the last {@code slidingWindow} tokens
 * @param slidingWindow   the sliding window, tokens (0 without sliding layers)
 * @param linearLayers    linear-attention layers (a fixed state per request, no KV per token)
 * @param heads           query heads
 * @param kvHeads         KV heads of GQA (the latent is shared by all heads under MLA)
 * @param qkDim           query/key dimension per head (MLA: nope + rope)
 * @param vDim            value dimension per head
 * @param latentDim       MLA's cached latent per token and layer (kv_lora_rank + qk_rope_head_dim); 0 for GQA
 * @param sparseTopK      tokens each query attends to under sparse attention (index_topk); 0 for dense attention
 * @param indexerDim      bytes per token and layer of the sparse-attention indexer's FP8 keys; 0 without one
 * @param indexerHeads    heads of the sparse-attention indexer
 * @param stateBytes      bytes of recurrent state per request (linear-attention layers), independent of context
 */
public record AttentionShape(int fullLayers, int slidingLayers, int slidingWindow, int linearLayers, int heads,
                             int kvHeads, int qkDim, int vDim, int latentDim, int sparseTopK, int indexerDim,
                             int indexerHeads, double stateBytes) {

    /** True for multi-head latent attention: one latent per token shared by every head, so TP cannot split it. */
    public boolean mla() {
        return latentDim > 0;
    }

    /** Layers holding a KV cache. */
    public int kvLayers() {
        return fullLayers + slidingLayers;
    }

    /** KV elements one token adds to one layer's cache. */
    public double kvElementsPerLayer() {
        return mla() ? latentDim : 2.0 * kvHeads * qkDim;
    }

    /**
     * KV-cache bytes per token of context when the context exceeds every window: the full layers' entries and the
     * indexer keys (a sliding layer's cache stops growing at its window, so it counts in {@link #fixedBytes}).
     */
    public double kvBytesPerToken(final double kvElementBytes) {
        return fullLayers * (kvElementsPerLayer() * kvElementBytes + indexerDim);
    }

    /** Bytes one request holds whatever its context: the sliding layers' full windows and the recurrent state. */
    public double fixedBytes(final double kvElementBytes) {
        return slidingLayers * kvElementsPerLayer() * kvElementBytes * slidingWindow + stateBytes;
    }

    /** Cache bytes one request at {@code context} tokens holds. */
    public double cacheBytes(final long context, final double kvElementBytes) {
        return fullLayers * (kvElementsPerLayer() * kvElementBytes + indexerDim) * context
            + slidingLayers * kvElementsPerLayer() * kvElementBytes * Math.min(context, slidingWindow) + stateBytes;
    }

    /**
     * Bytes one decode step of one request reads from its cache at {@code context} tokens: every full layer's
     * entries (only the top-k under sparse attention, plus every indexer key), the sliding layers' window, the state.
     */
    public double decodeReadBytes(final long context, final double kvElementBytes) {
        final double perLayer = kvElementsPerLayer() * kvElementBytes;
        final long attended = sparseTopK > 0 ? Math.min(context, sparseTopK) : context;
        return fullLayers * (perLayer * attended + (double) indexerDim * context)
            + slidingLayers * perLayer * Math.min(context, slidingWindow) + stateBytes;
    }

    /** Attention FLOPs of one query against one key in one layer (QK^T and AV, 2 FLOPs per multiply-add). */
    public double flopsPerPair() {
        return mla() ? 2.0 * heads * (latentDim + latentDim) : 2.0 * heads * (qkDim + vDim);
    }

    /**
     * Attention FLOPs of a prefill chunk of {@code tokens} new tokens after {@code cached} tokens of context: causal
     * pairs on the full layers (top-k under sparse attention, plus the indexer's scores over every key), the window
     * on the sliding layers, and the linear layers' state updates (about 4 state-size FLOPs per token).
     */
    public double prefillFlops(final long tokens, final long cached) {
        if (tokens <= 0) {
            return 0;
        }
        final double prefillPair = 2.0 * heads * (qkDim + vDim);
        final double full = causalPairs(tokens, cached, sparseTopK > 0 ? sparseTopK : Long.MAX_VALUE);
        double flops = fullLayers * full * prefillPair;
        if (sparseTopK > 0) {
            flops += fullLayers * causalPairs(tokens, cached, Long.MAX_VALUE) * 2.0 * indexerHeads * indexerDim;
        }
        if (slidingLayers > 0) {
            flops += slidingLayers * causalPairs(tokens, cached, slidingWindow) * prefillPair;
        }
        // About 4 FLOPs per FP32 state element (4 bytes) and token: stateBytes FLOPs per token over all linear layers.
        flops += linearLayers > 0 ? (double) tokens * stateBytes : 0;
        return flops;
    }

    /** Sum over the new tokens at positions cached+1 .. cached+tokens of min(position, window). */
    static double causalPairs(final long tokens, final long cached, final long window) {
        final double a = cached + 1;
        final double b = cached + tokens;
        if (b <= window) {
            return (a + b) * tokens / 2.0;
        }
        if (a >= window) {
            return (double) window * tokens;
        }
        final double inside = window - a + 1;
        return (a + window) * inside / 2.0 + (double) window * (tokens - inside);
    }
}
