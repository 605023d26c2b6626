package dev.slaprof.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.simulator.replay.ClosedLoopReplay;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine in virtual time against its own performance model, computed here independently: with jitter off a
 * request's timings are the model's to rounding; with jitter they are reproducible from the seed; the scheduler's
 * rules (prefill batching by token budget, prefix caching, KV admission, the closed loop) hold exactly.
 */
class VirtualEngineTest {
    private static final double EXACT_MS = 1e-9;
    private final Catalog catalog = Catalog.bundled();

    private PerfModel model(final String name, final Mapping m) {
        return new PerfModel(catalog.model(name), catalog.gpu("H200-SXM"), catalog.params(), m);
    }

    private static List<VirtualEngine.RequestSpec> specs(final int n, final int isl, final int osl, final long first) {
        final List<VirtualEngine.RequestSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new VirtualEngine.RequestSpec(isl, osl, first + i));
        }
        return out;
    }

    @Test
    void shouldGiveTheModelsPrefillTimeAtBatchOne() {
        final PerfModel pm = model("Qwen/Qwen3-32B", Mappings.tp(2));
        final VirtualEngine engine = new VirtualEngine(pm, false, 0, 1);
        for (final int isl : new int[] {100, 3000, 17_000}) {
            final List<SimRequest> done = engine.burst(specs(3, isl, 5, isl), 1);
            for (final SimRequest r : done) {
                assertThat(r.scheduledTtftMs()).isCloseTo(pm.prefillMs(isl), within(EXACT_MS));
                assertThat(r.scheduledItlMs()).isCloseTo(pm.decodeStepMs(1, isl + 1) / 4
                    + pm.decodeStepMs(1, isl + 2) / 4 + pm.decodeStepMs(1, isl + 3) / 4
                    + pm.decodeStepMs(1, isl + 4) / 4, within(EXACT_MS));
            }
        }
    }

    @Test
    void shouldDecodeACachedBurstInLockstepAtTheModelsStepTimes() {
        final PerfModel pm = model("Qwen/Qwen3-32B", Mappings.tp(4));
        final VirtualEngine engine = new VirtualEngine(pm, true, 0, 1);
        final int n = 200;
        final int isl = 3000;
        final int osl = 500;
        engine.burst(specs(n, isl, osl, 7), n);
        final List<SimRequest> measured = engine.burst(specs(n, isl, osl, 7), n);
        // Cached prompts prefill one token each, all in one step: then n requests decode together.
        double expected = 0;
        for (int j = 1; j < osl; j++) {
            expected += pm.decodeStepMs(n, (long) n * (isl + j)) / (osl - 1);
        }
        assertThat(measured).hasSize(n);
        for (final SimRequest r : measured) {
            assertThat(r.scheduledTtftMs()).isCloseTo(pm.prefillBatchMs(ones(n)), within(EXACT_MS));
            assertThat(r.scheduledItlMs()).isCloseTo(expected, within(1e-9 * expected));
        }
    }

    private static int[] ones(final int n) {
        final int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }

    @Test
    void shouldBatchADepPrefillBurstPerRankUpToTheTokenBudget() {
        final PerfModel pm = model("deepseek-ai/DeepSeek-R1", Mappings.dep(16));
        assertThat(pm.params().maxBatchedTokens()).isEqualTo(8192);
        final VirtualEngine engine = new VirtualEngine(pm, false, 0, 1);
        // 2 requests per rank of 3000 tokens: 6,000 tokens fit one step of 8,192.
        final List<SimRequest> done = engine.burst(specs(32, 3000, 5, 1), 32);
        assertThat(done).hasSize(32);
        for (final SimRequest r : done) {
            assertThat(r.scheduledTtftMs()).isCloseTo(pm.prefillBatchMs(3000, 3000), within(EXACT_MS));
        }
    }

    @Test
    void shouldPrefillALongPromptInChunksOfTheTokenBudget() {
        final PerfModel pm = model("Qwen/Qwen3-32B", Mappings.tp(2));
        final VirtualEngine engine = new VirtualEngine(pm, false, 0, 1);
        final SimRequest r = engine.burst(specs(1, 20_000, 2, 1), 1).get(0);
        // 8,192 + 8,192 + 3,616 tokens, each chunk attending to the ones before; logits once, at the end.
        final double expected = pm.stepMs(0, 0, 8192, 0, pm.prefillAttentionFlops(8192, 0), 0)
            + pm.stepMs(0, 0, 8192, 8192, pm.prefillAttentionFlops(8192, 8192), 0)
            + pm.stepMs(0, 0, 3616, 16_384, pm.prefillAttentionFlops(3616, 16_384), 1);
        assertThat(r.scheduledTtftMs()).isCloseTo(expected, within(EXACT_MS));
        assertThat(pm.prefillMs(20_000)).isCloseTo(expected, within(EXACT_MS));
    }

    /** Two prompts of 6,000 tokens arrive together on one TP2 rank of Qwen3-32B, under the given backend. */
    private List<SimRequest> twoPrompts(final String backend) {
        final PerfModel pm = new PerfModel(catalog.model("Qwen/Qwen3-32B"), catalog.gpu("H200-SXM"),
            catalog.params(backend, "hopper"), Mappings.tp(2));
        return new VirtualEngine(pm, false, 0, 1).burst(specs(2, 6000, 3, 1), 2);
    }

    @Test
    void shouldMixAWaitingPromptsChunkIntoTheDecodeStepUnderVllm() {
        final PerfModel pm = new PerfModel(catalog.model("Qwen/Qwen3-32B"), catalog.gpu("H200-SXM"),
            catalog.params("vllm", "hopper"), Mappings.tp(2));
        final List<SimRequest> done = twoPrompts("vllm");
        // Step 1: A's 6,000 tokens and B's first 2,192. Step 2: A decodes while B's last 3,808 prefill.
        final double t1 = pm.stepMs(0, 0, 8192, 0, pm.prefillAttentionFlops(6000, 0)
            + pm.prefillAttentionFlops(2192, 0), 1);
        final double t2 = t1 + pm.stepMs(1, 6001, 3808, 2192, pm.prefillAttentionFlops(3808, 2192), 1);
        final double t3 = t2 + pm.stepMs(2, 6002 + 6001, 0, 0, 0, 0);
        final double t4 = t3 + pm.stepMs(1, 6002, 0, 0, 0, 0);
        assertThat(done).extracting(SimRequest::scheduledTtftMs).containsExactly(t1, t2);
        assertThat(done.get(0).lastTokenMs()).isCloseTo(t3, within(EXACT_MS));
        assertThat(done.get(1).lastTokenMs()).isCloseTo(t4, within(EXACT_MS));
    }

    @Test
    void shouldPauseDecodesWhileAPromptWaitsUnderSglang() {
        final PerfModel pm = new PerfModel(catalog.model("Qwen/Qwen3-32B"), catalog.gpu("H200-SXM"),
            catalog.params("sglang", "hopper"), Mappings.tp(2));
        assertThat(pm.params().prefillFirst()).isTrue();
        final List<SimRequest> done = twoPrompts("sglang");
        // Step 2 prefills B's last 3,808 tokens alone; A decodes only from step 3, with B.
        final double t1 = pm.stepMs(0, 0, 8192, 0, pm.prefillAttentionFlops(6000, 0)
            + pm.prefillAttentionFlops(2192, 0), 1);
        final double t2 = t1 + pm.stepMs(0, 0, 3808, 2192, pm.prefillAttentionFlops(3808, 2192), 1);
        final double t3 = t2 + pm.stepMs(2, 6001 + 6001, 0, 0, 0, 0);
        final double t4 = t3 + pm.stepMs(2, 6002 + 6002, 0, 0, 0, 0);
        assertThat(done).hasSize(2);
        assertThat(done.get(0).scheduledTtftMs()).isCloseTo(t1, within(EXACT_MS));
        assertThat(done.get(1).scheduledTtftMs()).isCloseTo(t2, within(EXACT_MS));
        assertThat(done).allSatisfy(r -> assertThat(r.lastTokenMs()).isCloseTo(t4, within(EXACT_MS)));
    }

    @Test
    void shouldMeasureWhatTheAccuracyReplayMeasuresForEachBackend() {
        for (final String backend : new String[] {"vllm", "sglang", "trtllm"}) {
            final PerfModel pm = new PerfModel(catalog.model("Qwen/Qwen3-32B"), catalog.gpu("H200-SXM"),
                catalog.params(backend, "hopper"), Mappings.tp(2));
            final int clients = 24;
            final int waves = 3;
            final List<SimRequest> done = new VirtualEngine(pm, false, 0, 1)
                .burst(specs(clients * waves, 3000, 200, 1), clients);
            final ClosedLoopReplay.Result replay = ClosedLoopReplay.aggregated(pm, 1, SimEngine.MAX_NUM_SEQS,
                new ClosedLoopReplay.Load(clients, 3000, 200, 1.0, waves, 1));
            assertThat(replay.requests()).isEqualTo(done.size());
            final double ttft = done.stream().mapToDouble(SimRequest::scheduledTtftMs).average().orElseThrow();
            final double tpot = done.stream().mapToDouble(SimRequest::scheduledItlMs).average().orElseThrow();
            // The replay's TTFT is a client's: the engine's plus the frontend's request overhead.
            assertThat(ttft + pm.params().requestOverheadMs()).as(backend)
                .isCloseTo(replay.ttftMs(), within(1e-9 * replay.ttftMs()));
            assertThat(tpot).as(backend).isCloseTo(replay.tpotMs(), within(1e-9 * replay.tpotMs()));
        }
    }

    @Test
    void shouldKeepAtMostTheConcurrencyInFlight() {
        final PerfModel pm = model("Qwen/Qwen3-32B", Mappings.tp(1));
        final VirtualEngine engine = new VirtualEngine(pm, false, 0, 1);
        final List<SimRequest> done = engine.burst(specs(10, 1000, 5, 1), 1);
        // One at a time: each arrives when the previous one finished.
        for (int i = 1; i < done.size(); i++) {
            assertThat(done.get(i).arrivalMs()).isEqualTo(done.get(i - 1).lastTokenMs());
        }
    }

    @Test
    void shouldQueueWhatTheKvCacheCannotHoldAndFailWhatNoRankCould() {
        final PerfModel pm = model("Qwen/Qwen3-32B", Mappings.tp(1));
        final long kv = pm.kvTokensPerRank();
        final int isl = 20_000;
        final int fit = (int) (kv / (isl + 10));
        final VirtualEngine engine = new VirtualEngine(pm, false, 0, 1);
        final List<SimRequest> done = engine.burst(specs(fit + 1, isl, 10, 1), fit + 1);
        assertThat(done).hasSize(fit + 1).allMatch(r -> r.error() == null);
        // The one that did not fit waited for a whole request to finish.
        final double latestArrivalStart = done.stream().mapToDouble(SimRequest::scheduledTtftMs).max().orElseThrow();
        assertThat(latestArrivalStart).isGreaterThan(done.get(0).lastTokenMs() - done.get(0).arrivalMs());
        final List<SimRequest> tooBig = engine.burst(specs(1, (int) kv, 10, 99), 1);
        assertThat(tooBig.get(0).error()).contains("exceeds the KV capacity");
    }

    @Test
    void shouldRepeatExactlyFromTheSeedAndDifferAcrossSeeds() {
        final PerfModel pm = model("Qwen/Qwen3-32B", Mappings.tp(2));
        final double[] a = run(pm, 42);
        final double[] b = run(pm, 42);
        final double[] c = run(pm, 43);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    private static double[] run(final PerfModel pm, final long seed) {
        final VirtualEngine engine = new VirtualEngine(pm, true, 0.03, seed);
        engine.burst(specs(64, 3000, 50, 5), 64);
        final List<SimRequest> done = engine.burst(specs(64, 3000, 50, 5), 16);
        final double[] out = new double[done.size() * 2];
        for (int i = 0; i < done.size(); i++) {
            out[2 * i] = done.get(i).scheduledTtftMs();
            out[2 * i + 1] = done.get(i).scheduledItlMs();
        }
        return out;
    }
}
