package dev.slaprof.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.domain.recommend.CostTable;
import dev.slaprof.domain.recommend.ParetoFront;
import dev.slaprof.domain.stats.Buckets;
import org.junit.jupiter.api.Test;

/** The test vectors of dynamo-profiler-spec.md §12 for the pure selection helpers. */
class SpecVectorsTest {
    private static final double COST_TOLERANCE = 1e-9;

    @Test
    void shouldDropNonFiniteRowsFromTheParetoFront() {
        assertThat(ParetoFront.compute(new double[] {Double.NaN, 10, 20}, new double[] {100, Double.NaN, 200}))
            .containsExactly(2);
    }

    @Test
    void shouldKeepOnlyStrictlyBetterThroughputAlongLatency() {
        // Duplicates and same-x lower-y points go; order is by ascending latency.
        assertThat(ParetoFront.compute(new double[] {30, 10, 10, 20, 20}, new double[] {300, 100, 50, 100, 250}))
            .containsExactly(1, 4, 0);
    }

    @Test
    void shouldComputeGpuHoursPer1000RequestsAsTheSpecExample() {
        assertThat(CostTable.gpuHoursPer1000(2048, 256, 10_000, 1_000)).isCloseTo(0.1280, within(COST_TOLERANCE));
        assertThat(CostTable.tokensPerUser(20)).isCloseTo(50.0, within(COST_TOLERANCE));
    }

    @Test
    void shouldBucketLiveLoadPoints() {
        assertThat(Buckets.bucket(17)).isEqualTo(17);
        assertThat(Buckets.bucket(3000)).isEqualTo(2944);
        assertThat(Buckets.bucket(2990)).isEqualTo(Buckets.bucket(3000));
        assertThat(Buckets.bucket(2621)).isNotEqualTo(Buckets.bucket(5142));
    }
}
