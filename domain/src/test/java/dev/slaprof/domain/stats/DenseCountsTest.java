package dev.slaprof.domain.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** In-memory counts pack to exactly the histogram that adding the same values to the packed form gives. */
class DenseCountsTest {
    @Test
    void shouldPackToWhatThePackedFormGivesForNarrowAndWideSpreads() {
        final Random r = new Random(4);
        for (final double sigma : new double[] {0.01, 0.05, 0.5, 3.0}) {
            byte[] reference = new byte[0];
            final DenseCounts dense = DenseCounts.of(new byte[0]);
            for (int i = 0; i < 50_000; i++) {
                final long us = (long) (40_000 * Math.exp(sigma * r.nextGaussian()));
                reference = SparseHistogram.addInPlace(reference, us);
                dense.add(us);
            }
            assertThat(dense.pack()).as("sigma %s", sigma).isEqualTo(reference);
        }
    }

    @Test
    void shouldContinueFromAPackedHistogramWhoseSpanExceedsTheWindow() {
        final Random r = new Random(8);
        byte[] reference = new byte[0];
        // 1 us to 1 h: far more classes than the window holds, so part of it starts in the overflow.
        for (int i = 0; i < 20_000; i++) {
            reference = SparseHistogram.addInPlace(reference, 1 + (long) Math.exp(r.nextDouble() * 22));
        }
        assertThat(SparseHistogram.classes(reference)).isGreaterThan(DenseCounts.MAX_WINDOW);
        final DenseCounts dense = DenseCounts.of(reference);
        assertThat(dense.pack()).isEqualTo(reference);
        for (int i = 0; i < 20_000; i++) {
            final long us = 1 + (long) Math.exp(r.nextDouble() * 22);
            reference = SparseHistogram.addInPlace(reference, us);
            dense.add(us);
        }
        assertThat(dense.pack()).isEqualTo(reference);
    }

    @Test
    void shouldClampValuesLikeThePackedForm() {
        byte[] reference = new byte[0];
        final DenseCounts dense = DenseCounts.of(new byte[0]);
        for (final long us : new long[] {0, -5, 1, SparseHistogram.MAX_US, SparseHistogram.MAX_US * 10, 123_456}) {
            reference = SparseHistogram.addInPlace(reference, us);
            dense.add(us);
        }
        assertThat(dense.pack()).isEqualTo(reference);
    }
}
