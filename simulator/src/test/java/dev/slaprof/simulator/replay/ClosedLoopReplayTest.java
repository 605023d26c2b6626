package dev.slaprof.simulator.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.schema.Mappings;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.GpuSpec;
import dev.slaprof.simulator.ModelSpec;
import dev.slaprof.simulator.PerfModel;
import dev.slaprof.simulator.PerfParams;
import org.junit.jupiter.api.Test;

/**
 * The replay's steps, computed by hand from {@link PerfModel#stepMs}: a single request, a mixed step (a decode and a
 * prefill chunk together, vLLM V1), SGLang's prefill-first steps, and a disaggregated request with its KV transfer.
 */
class ClosedLoopReplayTest {
    private static final double EXACT = 1e-9;
    private final Catalog catalog = Catalog.bundled();
    private final ModelSpec qwen = catalog.model("Qwen/Qwen3-32B");
    private final GpuSpec h200 = catalog.gpu("H200-SXM");

    private PerfModel engine(final String scheduler, final int budget) {
        final PerfParams p = catalog.params("vllm", "hopper");
        final PerfParams q = new PerfParams(p.gemmEfficiency(), p.gemmHalfTokens(), p.attentionEfficiency(),
            p.bandwidthEfficiency(), p.overlap(), p.stepOverheadMs(), p.layerOverheadUs(), p.prefillOverheadMs(),
            p.requestOverheadMs(),
            p.allreduceLatencyUs(), p.alltoallLatencyUs(), p.gpuMemoryUtilization(), p.blockSize(), budget, scheduler);
        return new PerfModel(qwen, h200, q, Mappings.tp(1));
    }

    @Test
    void shouldTimeOneRequestAsAPrefillStepThenOneDecodeStepPerToken() {
        final PerfModel m = engine("mixed", 8192);
        final ClosedLoopReplay.Result r = ClosedLoopReplay.aggregated(m, 1, 1024,
            new ClosedLoopReplay.Load(1, 1000, 4, 1.0, 1, 1));
        final double prefill = m.stepMs(0, 0, 1000, 0, m.prefillAttentionFlops(1000, 0), 1);
        assertThat(r.ttftMs()).isCloseTo(prefill + m.params().requestOverheadMs(), within(EXACT));
        final double decode = m.stepMs(1, 1001, 0, 0, 0, 0) + m.stepMs(1, 1002, 0, 0, 0, 0)
            + m.stepMs(1, 1003, 0, 0, 0, 0);
        assertThat(r.tpotMs()).isCloseTo(decode / 3, within(EXACT));
        assertThat(r.requests()).isEqualTo(1);
        assertThat(r.kvLimited()).isFalse();
    }

    @Test
    void shouldMixADecodeAndAPrefillChunkInOneStepUnderVllmsBudget() {
        final PerfModel m = engine("mixed", 1500);
        final ClosedLoopReplay.Result r = ClosedLoopReplay.aggregated(m, 1, 1024,
            new ClosedLoopReplay.Load(2, 1000, 3, 1.0, 1, 1));
        // Step 1: A's 1000 tokens and B's first 500 (the budget). Step 2: A decodes one token while B's last 500
        // tokens prefill after its first 500 (mixed). Step 3: both decode. Step 4: B decodes its last token.
        final double t1 = m.stepMs(0, 0, 1500, 0, m.prefillAttentionFlops(1000, 0) + m.prefillAttentionFlops(500, 0), 1);
        final double t2 = t1 + m.stepMs(1, 1001, 500, 500, m.prefillAttentionFlops(500, 500), 1);
        final double t3 = t2 + m.stepMs(2, 1002 + 1001, 0, 0, 0, 0);
        final double t4 = t3 + m.stepMs(1, 1002, 0, 0, 0, 0);
        assertThat(r.ttftMs()).isCloseTo((t1 + t2) / 2 + m.params().requestOverheadMs(), within(EXACT));
        assertThat(r.tpotMs()).isCloseTo(((t3 - t1) / 2 + (t4 - t2) / 2) / 2, within(EXACT));
    }

    @Test
    void shouldPauseDecodesWhilePromptsWaitUnderSglangsPrefillFirst() {
        final PerfModel m = engine("prefill_first", 1500);
        final ClosedLoopReplay.Result r = ClosedLoopReplay.aggregated(m, 1, 1024,
            new ClosedLoopReplay.Load(2, 1000, 3, 1.0, 1, 1));
        // Step 2 prefills B's second chunk alone: A, already prefilled, does not decode until no prompt waits.
        final double t1 = m.stepMs(0, 0, 1500, 0, m.prefillAttentionFlops(1000, 0) + m.prefillAttentionFlops(500, 0), 1);
        final double t2 = t1 + m.stepMs(0, 0, 500, 500, m.prefillAttentionFlops(500, 500), 1);
        final double t3 = t2 + m.stepMs(2, 2002, 0, 0, 0, 0);
        final double t4 = t3 + m.stepMs(2, 2004, 0, 0, 0, 0);
        assertThat(r.ttftMs()).isCloseTo((t1 + t2) / 2 + m.params().requestOverheadMs(), within(EXACT));
        assertThat(r.tpotMs()).isCloseTo(((t4 - t1) / 2 + (t4 - t2) / 2) / 2, within(EXACT));
    }

    @Test
    void shouldAddTheKvTransferToADisaggregatedRequestsTtft() {
        final PerfModel p = engine("mixed", 8192);
        final PerfModel d = new PerfModel(qwen, h200, p.params(), Mappings.tp(2));
        final double gbps = 50;
        final ClosedLoopReplay.Result r = ClosedLoopReplay.disaggregated(p, 1, d, 1, 1024, gbps,
            new ClosedLoopReplay.Load(1, 1000, 3, 1.0, 1, 1));
        final double prefill = p.stepMs(0, 0, 1000, 0, p.prefillAttentionFlops(1000, 0), 1);
        // 1000 tokens x 262,144 bytes over 50 GB/s = 5.24 ms.
        final double transfer = 1000 * qwen.kvBytes() / (gbps * 1e9) * 1000;
        assertThat(transfer).isCloseTo(5.24288, within(1e-9));
        assertThat(r.ttftMs()).isCloseTo(prefill + transfer + p.params().requestOverheadMs(), within(EXACT));
        assertThat(r.tpotMs()).isCloseTo((d.stepMs(1, 1001, 0, 0, 0, 0) + d.stepMs(1, 1002, 0, 0, 0, 0)) / 2,
            within(EXACT));
    }

    @Test
    void shouldDrawLengthsInTheRangeAndRepeatWithTheSeed() {
        final PerfModel m = engine("mixed", 8192);
        final ClosedLoopReplay.Load load = new ClosedLoopReplay.Load(8, 1000, 100, 0.8, 3, 42);
        final ClosedLoopReplay.Result a = ClosedLoopReplay.aggregated(m, 1, 1024, load);
        assertThat(ClosedLoopReplay.aggregated(m, 1, 1024, load)).isEqualTo(a);
        final ClosedLoopReplay.Result fixed = ClosedLoopReplay.aggregated(m, 1, 1024,
            new ClosedLoopReplay.Load(8, 1000, 100, 1.0, 3, 42));
        // Shorter prompts on average (0.9 x ISL): a lower mean TTFT than the fixed-length run.
        assertThat(a.ttftMs()).isLessThan(fixed.ttftMs());
        assertThat(a.requests()).isEqualTo(24);
    }
}
