package dev.slaprof.domain.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The sparse histogram gives exactly HdrHistogram's percentiles, and its size depends on occupied classes only. */
class SparseHistogramTest {
    @Test
    void shouldGiveHdrHistogramsPercentilesExactly() {
        final Random r = new Random(5);
        for (int trial = 0; trial < 20; trial++) {
            final Histogram reference = new Histogram(1, SparseHistogram.MAX_US, 3);
            byte[] sparse = new byte[0];
            final int n = 1 + r.nextInt(3000);
            for (int i = 0; i < n; i++) {
                final long v = 1 + (long) Math.exp(r.nextGaussian() * 2 + 10);
                reference.recordValue(Math.min(v, SparseHistogram.MAX_US));
                sparse = SparseHistogram.add(sparse, v);
            }
            final double[] ps = {0, 1, 50, 90, 95, 99, 99.9, 100};
            final long[] got = SparseHistogram.percentiles(sparse, ps);
            for (int k = 0; k < ps.length; k++) {
                assertThat(got[k]).as("p%s of trial %d", ps[k], trial).isEqualTo(reference.getValueAtPercentile(ps[k]));
            }
            assertThat(SparseHistogram.toHistogram(sparse).getTotalCount()).isEqualTo(n);
        }
    }

    /** numpy's default percentile (linear interpolation between sorted values), on the raw values. */
    private static double numpyLinear(final long[] sorted, final double p) {
        final double r = p / 100 * (sorted.length - 1);
        final int lo = (int) Math.floor(r);
        final int hi = (int) Math.ceil(r);
        return sorted[lo] + (r - lo) * (sorted[hi] - sorted[lo]);
    }

    @Test
    void shouldGiveAiperfsLinearPercentilesWithinHalfAClass() {
        final Random r = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            final int n = 1 + r.nextInt(trial < 5 ? 10 : 3000);
            final long[] values = new long[n];
            byte[] sparse = new byte[0];
            for (int i = 0; i < n; i++) {
                values[i] = Math.min(1 + (long) Math.exp(r.nextGaussian() * 2 + 10), SparseHistogram.MAX_US);
                sparse = SparseHistogram.add(sparse, values[i]);
            }
            Arrays.sort(values);
            final double[] ps = {0, 1, 50, 90, 95, 99, 99.9, 100};
            final double[] got = SparseHistogram.linearPercentiles(sparse, ps);
            for (int k = 0; k < ps.length; k++) {
                final double want = numpyLinear(values, ps[k]);
                // Half a class at 3 significant digits is at most 0.05 % of the value (plus 1 us below 2048 us).
                assertThat(Math.abs(got[k] - want)).as("p%s of trial %d (n=%d): %s against numpy's %s", ps[k], trial, n,
                    got[k], want).isLessThanOrEqualTo(0.0005 * want + 1);
            }
        }
    }

    @Test
    void shouldStayTheSameSizeOnceTheClassesAreOccupied() {
        final Random r = new Random(9);
        byte[] sparse = new byte[0];
        for (int i = 0; i < 10_000; i++) {
            sparse = SparseHistogram.add(sparse, 20_000 + r.nextInt(2_000));
        }
        final int after10k = sparse.length;
        for (int i = 0; i < 200_000; i++) {
            sparse = SparseHistogram.add(sparse, 20_000 + r.nextInt(2_000));
        }
        // Counts are fixed-width: 21x more samples add nothing once the classes are occupied.
        assertThat(sparse.length).isEqualTo(after10k);
        assertThat(sparse.length).isLessThan(16 * 1024);
    }

    @Test
    void shouldAddInPlaceExactlyAsAdd() {
        final Random r = new Random(11);
        byte[] a = new byte[0];
        byte[] b = new byte[0];
        int inPlace = 0;
        for (int i = 0; i < 20_000; i++) {
            final long v = (long) (1000 * Math.exp(1 + r.nextGaussian()));
            a = SparseHistogram.add(a, v);
            final byte[] before = b;
            b = SparseHistogram.addInPlace(b, v);
            inPlace += b == before ? 1 : 0;
            if (i % 997 == 0) {
                Assertions.assertThat(b).isEqualTo(a);
            }
        }
        Assertions.assertThat(b).isEqualTo(a);
        // Most samples land in an existing class and are counted in place (74 % here, a wide lognormal spread).
        Assertions.assertThat(inPlace).isGreaterThan(12_000);
    }

    @Test
    void shouldNumberClassesAsHdrHistogramsCountsArray() {
        final Histogram hdr = new Histogram(1, SparseHistogram.MAX_US, 3);
        final int classes = SparseHistogram.index(SparseHistogram.MAX_US) + 1;
        assertThat(classes).isLessThan(1 << 16);
        // Class 0 holds the value 0, below the trackable range (values are clamped to at least 1 us).
        long previous = 0;
        for (int i = 1; i < classes; i++) {
            final long low = SparseHistogram.lowestValue(i);
            assertThat(low).as("class %d", i).isGreaterThan(previous);
            assertThat(hdr.lowestEquivalentValue(low)).as("class %d", i).isEqualTo(low);
            assertThat(SparseHistogram.index(low)).isEqualTo(i);
            assertThat(SparseHistogram.index(hdr.highestEquivalentValue(low))).isEqualTo(i);
            previous = low;
        }
        final Random r = new Random(3);
        for (int k = 0; k < 100_000; k++) {
            final long v = 1 + (long) Math.exp(r.nextDouble() * Math.log(SparseHistogram.MAX_US));
            assertThat(SparseHistogram.lowestValue(SparseHistogram.index(v))).isEqualTo(hdr.lowestEquivalentValue(v));
        }
    }

    @Test
    void shouldRefuseBytesThatAreNotWholeEntries() {
        Assertions.assertThatThrownBy(() -> SparseHistogram.addInPlace(new byte[7], 5))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole 6-byte entries, got 7 bytes");
    }
}
