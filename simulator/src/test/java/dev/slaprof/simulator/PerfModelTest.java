package dev.slaprof.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.schema.Mappings;
import dev.slaprof.simulator.arch.Quant;
import org.junit.jupiter.api.Test;

/**
 * The step physics on hand-computed cases. The model's accuracy against measurements is the accuracy benchmark's
 * and the accuracy test's job (measured rows, not a fit's own output); these pin the terms.
 */
class PerfModelTest {
    private final Catalog catalog = Catalog.bundled();
    private final ModelSpec qwen = catalog.model("Qwen/Qwen3-32B");
    private final GpuSpec h200 = catalog.gpu("H200-SXM");
    private final PerfParams p = catalog.params("vllm", "hopper");

    /** Constants with every fixed cost and the overlap zeroed, so a step is max(memory, GEMM) alone. */
    private PerfParams bare() {
        return new PerfParams(p.gemmEfficiency(), p.gemmHalfTokens(), p.attentionEfficiency(), p.bandwidthEfficiency(),
            0, 0, 0, 0, 0, 0, 0, p.gpuMemoryUtilization(), p.blockSize(), p.maxBatchedTokens(), p.scheduler());
    }

    @Test
    void shouldStreamEveryWeightOnceInASmallDecodeStep() {
        final PerfModel m = new PerfModel(qwen, h200, bare(), Mappings.tp(1));
        // Batch 1 at context 1000: memory-bound; weights plus 1,001 tokens of KV (262,144 bytes each) over HBM.
        final double bytes = qwen.weightBytes() + 1001 * 262_144.0;
        assertThat(m.decodeStepMs(1, 1001)).isCloseTo(bytes / (4800e9 * p.bandwidthEfficiency()) * 1000,
            within(1e-9));
    }

    @Test
    void shouldHalveTheWeightStreamWithFp8() {
        final ModelSpec fp8 = qwen.withPrecision(qwen.precision().withWeights(Quant.FP8));
        final PerfModel bf = new PerfModel(qwen, h200, bare(), Mappings.tp(1));
        final PerfModel f8 = new PerfModel(fp8, h200, bare(), Mappings.tp(1));
        final double embeddings = qwen.embeddingParamsB() * 1e9 * 2;
        assertThat(f8.weightBytesPerGpu() - embeddings).isCloseTo((bf.weightBytesPerGpu() - embeddings) / 2,
            within(1.0));
        // A long prefill is GEMM-bound: FP8 doubles the dense peak (1979 vs 989 TFLOPS), so its GEMM time halves.
        final double attention = bf.prefillAttentionFlops(8000, 0);
        final double bfMs = bf.stepMs(0, 0, 8000, 0, attention, 1);
        final double f8Ms = f8.stepMs(0, 0, 8000, 0, attention, 1);
        final double attnMs = attention / (989e12 * p.attentionEfficiency()) * 1000;
        final double headMs = 2 * qwen.lmHeadParamsB() * 1e9 / (989e12 * p.gemmEfficiency() / (1 + p.gemmHalfTokens()))
            * 1000;
        assertThat(f8Ms - attnMs - headMs).isCloseTo((bfMs - attnMs - headMs) * 989 / 1979, within(1e-6));
    }

    @Test
    void shouldReadOnlyTheExpertsASmallBatchRoutesTo() {
        final ModelSpec moe = catalog.model("Qwen/Qwen3-30B-A3B");
        final PerfModel m = new PerfModel(moe, h200, bare(), Mappings.tp(1));
        // 8 of 128 experts per token: one token touches 1/16 of them, 4 tokens 1 - (15/16)^4.
        assertThat(m.expertsHit(1)).isCloseTo(8.0 / 128, within(1e-12));
        assertThat(m.expertsHit(4)).isCloseTo(1 - Math.pow(15.0 / 16, 4), within(1e-12));
        assertThat(m.expertsHit(100_000)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void shouldPickTheFasterOfOneShotAndTwoShotAllReduce() {
        final PerfParams only = new PerfParams(p.gemmEfficiency(), p.gemmHalfTokens(), p.attentionEfficiency(),
            p.bandwidthEfficiency(), 0, 0, 0, 0, 0, 10, 0, p.gpuMemoryUtilization(), p.blockSize(), p.maxBatchedTokens(),
            p.scheduler());
        final PerfModel tp8 = new PerfModel(qwen, h200, only, Mappings.tp(8));
        // One token: 5120 x 2 bytes. One-shot moves 7 x 10,240 bytes at 450 GB/s (0.16 us) and beats two-shot's
        // extra 10 us synchronisation: 64 layers x 2 all-reduces x (10 us + 0.16 us).
        final double oneShot = 7 * 10_240 / 450e9;
        assertThat(tp8.prefillCommunicationMs(1)).isCloseTo(128 * (10e-6 + oneShot) * 1000, within(1e-9));
        // 8,000 tokens: two-shot's 2 x 7/8 of the bytes beat one-shot's 7 x.
        final double bytes = 8000 * 10_240.0;
        final double twoShot = 2.0 * 7 / 8 * bytes / 450e9 + 10e-6;
        assertThat(tp8.prefillCommunicationMs(8000)).isCloseTo(128 * (10e-6 + twoShot) * 1000, within(1e-9));
    }

    @Test
    void shouldLowerTtftWithTpWithDiminishingReturns() {
        double previous = Double.MAX_VALUE;
        double previousGain = Double.MAX_VALUE;
        for (final int tp : new int[] {1, 2, 4, 8}) {
            final double ttft = new PerfModel(qwen, h200, p, Mappings.tp(tp)).prefillMs(3000);
            if (previous != Double.MAX_VALUE) {
                final double gain = previous / ttft;
                assertThat(ttft).as("TTFT at TP%d", tp).isLessThan(previous);
                assertThat(gain).as("speed-up of TP%d over TP%d", tp, tp / 2).isLessThan(previousGain).isLessThan(2);
                previousGain = gain;
            }
            previous = ttft;
        }
    }
}
