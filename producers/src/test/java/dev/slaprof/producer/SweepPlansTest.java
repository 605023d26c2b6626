package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** dynamo-profiler-spec.md §12: get_num_request_range, GPU counts and sampling grids. */
class SweepPlansTest {
    @Test
    void shouldReproduceGetNumRequestRangeVectors() {
        assertThat(SweepPlans.numRequestRange(1, 837, 6, false)).containsExactly(1, 168, 335, 502, 669, 837);
        assertThat(SweepPlans.numRequestRange(1, 13, 6, false)).containsExactly(1, 3, 5, 8, 10, 13);
        assertThat(SweepPlans.numRequestRange(1, 1, 6, false)).containsExactly(1);
        assertThat(SweepPlans.numRequestRange(1, 0, 6, false)).isEmpty();
        assertThat(SweepPlans.numRequestRange(1, 5000, 6, false)).containsExactly(1, 400, 800, 1200, 1600, 2000);
        assertThat(SweepPlans.numRequestRange(8, 40, 6, false)).containsExactly(8, 16, 24, 32, 40);
        assertThat(SweepPlans.numRequestRange(8, 100, 6, false)).containsExactly(8, 144, 288, 424, 568, 712);
        assertThat(SweepPlans.numRequestRange(8, 100, 6, true)).containsExactly(8, 24, 40, 56, 72, 96);
        assertThat(SweepPlans.numRequestRange(4, 2000, 6, false)).containsExactly(4, 1600, 3196, 4792, 6388, 7988);
        assertThat(SweepPlans.numRequestRange(4, 2000, 6, true)).containsExactly(4, 400, 800, 1200, 1600, 2000);
    }

    @Test
    void shouldListPowersOfTwoWithinBounds() {
        assertThat(SweepPlans.gpuCounts(1, 8)).containsExactly(1, 2, 4, 8);
        assertThat(SweepPlans.gpuCounts(3, 12)).containsExactly(4, 8);
    }

    @Test
    void shouldSampleDynamoGridsForQwen3Context() {
        final List<Integer> prefill = SweepPlans.prefillIsls(40960, 16);
        assertThat(prefill).hasSize(17).startsWith(100, 2621).endsWith(40436);
        assertThat(SweepPlans.decodeIsls(40960, 6)).containsExactly(100, 6843, 13586, 20329, 27072, 33815);
        assertThat(SweepPlans.prefillIsls(16384, 16)).hasSize(17).endsWith(15860);
        assertThat(SweepPlans.decodeIsls(16384, 6)).containsExactly(100, 2747, 5394, 8041, 10688, 13335);
    }

    @Test
    void shouldParseCapacityFromEngineLogsLastMatchWinning() {
        assertThat(CapacityDiscovery.fromLog("Maximum concurrency for 40,960 tokens per request: 5.86x"))
            .hasValue(240025);
        assertThat(CapacityDiscovery.fromLog("Allocated 1 GiB for max tokens in paged KV cache (100).\n"
            + "Allocated 9 GiB for max tokens in paged KV cache (8224).")).hasValue(8224);
        assertThat(CapacityDiscovery.fromMetrics("vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"514\"} 1.0"))
            .hasValue(8224);
    }

    @Test
    void shouldDropMappingsWhosePerRankIntermediateSizeSplitsAQuantizationBlock() {
        // DeepSeek-R1: intermediate 18432, FP8 blocks of 128. TEP=32 leaves 576 per rank (not a multiple of 128):
        // Dynamo drops it; DEP keeps the whole FFN per rank (TP size 1), so no block is split.
        Assertions.assertThat(SweepPlans.candidates(32, true, false, 128, 256, 18432, 128))
            .extracting(Mappings::label).containsExactly("DEP=32");
        Assertions.assertThat(SweepPlans.candidates(16, true, false, 128, 256, 18432, 128))
            .extracting(Mappings::label).containsExactly("TEP=16", "DEP=16");
        // Without the block the check is skipped.
        Assertions.assertThat(SweepPlans.candidates(32, true, false, 128, 256, 18432, 0))
            .extracting(Mappings::label).containsExactly("TEP=32", "DEP=32");
        Assertions.assertThat(SweepPlans.unknownFacts(true, 0, 256, 0))
            .containsExactly("num_kv_heads", "intermediate_size");
    }
}
