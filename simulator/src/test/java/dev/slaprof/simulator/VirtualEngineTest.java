package dev.slaprof.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
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
        assertThat(pm.kvTokensPerRank()).isGreaterThan(12 * 10_002L);
        final VirtualEngine engine = new VirtualEngine(pm, false, 0, 1);
        // 4 requests per rank of 3000 tokens: 12,000 tokens fit one step of 32,768.
        final List<SimRequest> done = engine.burst(specs(64, 3000, 5, 1), 64);
        assertThat(done).hasSize(64);
        for (final SimRequest r : done) {
            assertThat(r.scheduledTtftMs()).isCloseTo(pm.prefillBatchMs(3000, 3000, 3000, 3000), within(EXACT_MS));
        }
        // 12 requests per rank of 10,000 tokens: three fit a step, so four steps queue one behind the other.
        final VirtualEngine big = new VirtualEngine(pm, false, 0, 1);
        final List<Double> ttfts = new ArrayList<>();
        for (final SimRequest r : big.burst(specs(192, 10_000, 2, 100), 192)) {
            ttfts.add(r.scheduledTtftMs());
        }
        // Prefill goes first: the four batches of a rank run back to back, ending at 1, 2, 3 and 4 steps.
        final double step = pm.prefillBatchMs(10_000, 10_000, 10_000);
        final List<Double> distinct = ttfts.stream().distinct().sorted().toList();
        assertThat(distinct).hasSize(4);
        for (int k = 0; k < 4; k++) {
            assertThat(distinct.get(k)).isCloseTo(step * (k + 1), within(EXACT_MS * 10));
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
