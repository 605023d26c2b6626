package dev.slaprof.domain.stats;

import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * A histogram kept as the occupied HdrHistogram equivalence classes only (microseconds, 1 us to 1 h, 3 significant
 * digits), packed as fixed-width 6-byte entries sorted by class: the class's index in HdrHistogram's counts array
 * (unsigned 16-bit big-endian; the range has 23,552 classes) and its count (32-bit big-endian, saturating at
 * 2^31-1). A bucket's size depends on how many classes its latencies occupy, not on how many samples it holds.
 *
 * <p>Fixed-width entries make adding a value a binary search over the entries and, when its class is present (nearly
 * every sample of a warm bucket), an in-place increment; a new class costs two array copies. Percentiles come from
 * the classes by HdrHistogram's own rule, so they equal what recording the raw values would give
 * ({@code SparseHistogramTest}).
 */
public final class SparseHistogram {
    /** Highest trackable value, microseconds (1 hour). */
    public static final long MAX_US = 3_600_000_000L;
    /** Bytes per occupied class. */
    static final int ENTRY = 6;
    private static final Histogram TEMPLATE = new Histogram(1, MAX_US, 3);
    /** HdrHistogram's layout for (lowest 1, 3 significant digits): 2,048 sub-buckets, half of them per bucket. */
    private static final int SUB_BUCKET_HALF_MAGNITUDE = 10;
    private static final int SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE;
    private static final long SUB_BUCKET_MASK = (2L << SUB_BUCKET_HALF_MAGNITUDE) - 1;
    private static final int LEADING_ZERO_COUNT_BASE = 64 - (SUB_BUCKET_HALF_MAGNITUDE + 1);

    private SparseHistogram() {
    }

    /** HdrHistogram's counts-array index of a value (clamped to 1 us .. 1 h). */
    static int index(final long valueUs) {
        final long v = Math.max(1, Math.min(MAX_US, valueUs));
        final int bucket = LEADING_ZERO_COUNT_BASE - Long.numberOfLeadingZeros(v | SUB_BUCKET_MASK);
        final int sub = (int) (v >>> bucket);
        return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT);
    }

    /** Lowest value of the class at a counts-array index. */
    static long lowestValue(final int index) {
        int bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
        int sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
        if (bucket < 0) {
            sub -= SUB_BUCKET_HALF_COUNT;
            bucket = 0;
        }
        return (long) sub << bucket;
    }

    /** The packed histogram with {@code valueUs} added once, as a new array. {@code packed} may be empty. */
    public static byte[] add(final byte[] packed, final long valueUs) {
        return addInPlace(packed.clone(), valueUs);
    }

    /**
     * Adds {@code valueUs} once: an in-place increment when its class is present, else a new array with the class
     * inserted. Returns the array holding the result ({@code packed} itself when it was updated in place, so the
     * caller must own it).
     */
    public static byte[] addInPlace(final byte[] packed, final long valueUs) {
        checkLength(packed);
        final int key = index(valueUs);
        int lo = 0;
        int hi = packed.length / ENTRY - 1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            final int p = mid * ENTRY;
            final int k = (packed[p] & 0xFF) << 8 | packed[p + 1] & 0xFF;
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                final long c = count(packed, p);
                if (c < Integer.MAX_VALUE) {
                    putCount(packed, p, c + 1);
                }
                return packed;
            }
        }
        final byte[] out = new byte[packed.length + ENTRY];
        final int at = lo * ENTRY;
        System.arraycopy(packed, 0, out, 0, at);
        out[at] = (byte) (key >>> 8);
        out[at + 1] = (byte) key;
        putCount(out, at, 1);
        System.arraycopy(packed, at, out, at + ENTRY, packed.length - at);
        return out;
    }

    /** The class-wise sum of two packed histograms (counts saturate at {@code Integer.MAX_VALUE}). */
    public static byte[] merge(final byte[] a, final byte[] b) {
        checkLength(a);
        checkLength(b);
        if (b.length == 0) {
            return a;
        }
        if (a.length == 0) {
            return b;
        }
        final byte[] out = new byte[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            final int ka = i < a.length ? key(a, i) : Integer.MAX_VALUE;
            final int kb = j < b.length ? key(b, j) : Integer.MAX_VALUE;
            final long c;
            if (ka < kb) {
                c = count(a, i);
                i += ENTRY;
            } else if (kb < ka) {
                c = count(b, j);
                j += ENTRY;
            } else {
                c = Math.min(Integer.MAX_VALUE, count(a, i) + count(b, j));
                i += ENTRY;
                j += ENTRY;
            }
            final int k = Math.min(ka, kb);
            out[n] = (byte) (k >>> 8);
            out[n + 1] = (byte) k;
            putCount(out, n, c);
            n += ENTRY;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Occupied classes of a packed histogram. */
    public static int classes(final byte[] packed) {
        checkLength(packed);
        return packed.length / ENTRY;
    }

    /**
     * Values at several percentiles (each 0-100) in one pass, by HdrHistogram's own rule (the first class whose
     * cumulative count reaches {@code ceil(p * total / 100)}, reported as the class's highest equivalent value), so
     * they equal {@link Histogram#getValueAtPercentile} on the raw values. Zeros for an empty histogram.
     */
    public static long[] percentiles(final byte[] packed, final double... ps) {
        final int n = classes(packed);
        final long[] out = new long[ps.length];
        if (n == 0) {
            return out;
        }
        long total = 0;
        for (int p = 0; p < packed.length; p += ENTRY) {
            total += count(packed, p);
        }
        // One walk over the classes serves every percentile: visit them in ascending order of their target rank.
        final long[] targets = new long[ps.length];
        final Integer[] order = new Integer[ps.length];
        for (int k = 0; k < ps.length; k++) {
            final double requested = Math.min(Math.max(Math.nextAfter(ps[k], Double.NEGATIVE_INFINITY), 0.0), 100.0);
            targets[k] = Math.max(1, (long) Math.ceil(requested * total / 100.0));
            order[k] = k;
        }
        Arrays.sort(order, (x, y) -> Long.compare(targets[x], targets[y]));
        long cumulative = 0;
        int p = 0;
        for (final int k : order) {
            while (cumulative < targets[k]) {
                cumulative += count(packed, p);
                p += ENTRY;
            }
            final long low = lowestValue(key(packed, p - ENTRY));
            out[k] = ps[k] == 0.0 ? low : TEMPLATE.highestEquivalentValue(low);
        }
        return out;
    }

    /**
     * Values at several percentiles (each 0-100) as numpy's default (linear) rule, which AIPerf's summaries use: the
     * rank {@code r = p/100 (N - 1)} between the sorted values {@code floor(r)} and {@code ceil(r)}, linearly
     * interpolated. Each value is its class's median equivalent value, so the result is within half a class width
     * (0.05 % at 3 significant digits) of numpy's on the raw values. Microseconds; zeros for an empty histogram.
     */
    public static double[] linearPercentiles(final byte[] packed, final double... ps) {
        final int n = classes(packed);
        final double[] out = new double[ps.length];
        if (n == 0) {
            return out;
        }
        final long[] cumulative = new long[n];
        final double[] value = new double[n];
        long total = 0;
        for (int i = 0, p = 0; i < n; i++, p += ENTRY) {
            total += count(packed, p);
            cumulative[i] = total;
            value[i] = TEMPLATE.medianEquivalentValue(lowestValue(key(packed, p)));
        }
        for (int k = 0; k < ps.length; k++) {
            final double r = Math.min(Math.max(ps[k], 0.0), 100.0) / 100.0 * (total - 1);
            final long lo = (long) Math.floor(r);
            final long hi = (long) Math.ceil(r);
            final double vLo = value[classOf(cumulative, lo)];
            final double vHi = value[classOf(cumulative, hi)];
            out[k] = vLo + (r - lo) * (vHi - vLo);
        }
        return out;
    }

    /** Index of the class holding the 0-based {@code ordinal}-th value. */
    private static int classOf(final long[] cumulative, final long ordinal) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > ordinal) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** An HdrHistogram holding the packed counts. */
    public static Histogram toHistogram(final byte[] packed) {
        checkLength(packed);
        final Histogram h = new Histogram(1, MAX_US, 3);
        for (int p = 0; p < packed.length; p += ENTRY) {
            h.recordValueWithCount(lowestValue(key(packed, p)), count(packed, p));
        }
        return h;
    }

    private static void checkLength(final byte[] packed) {
        if (packed.length % ENTRY != 0) {
            throw new IllegalArgumentException("a packed histogram holds whole " + ENTRY + "-byte entries, got "
                + packed.length + " bytes");
        }
    }

    /** Class index of the entry at byte offset {@code p}. */
    static int key(final byte[] b, final int p) {
        return (b[p] & 0xFF) << 8 | b[p + 1] & 0xFF;
    }

    /** Count of the entry at byte offset {@code p}. */
    static long count(final byte[] b, final int p) {
        return (b[p + 2] & 0xFFL) << 24 | (b[p + 3] & 0xFFL) << 16 | (b[p + 4] & 0xFFL) << 8 | b[p + 5] & 0xFFL;
    }

    private static void putCount(final byte[] b, final int p, final long c) {
        b[p + 2] = (byte) (c >>> 24);
        b[p + 3] = (byte) (c >>> 16);
        b[p + 4] = (byte) (c >>> 8);
        b[p + 5] = (byte) c;
    }
}
