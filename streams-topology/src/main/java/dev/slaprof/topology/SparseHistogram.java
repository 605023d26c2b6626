package dev.slaprof.topology;

import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * A histogram kept as the occupied HdrHistogram equivalence classes only (microseconds, 1 us to 1 h, 3 significant
 * digits), packed as bytes: the entry count, then per class the varint gap from the previous class's lowest value
 * and the count as a fixed 4-byte integer (saturating at 2^31-1), so a bucket's size depends on how many classes
 * its latencies occupy, not on how many samples it holds. Adding a value touches O(occupied classes) bytes instead of HdrHistogram's 23,552-slot
 * counts array (decoding that per sample measured 50 us in StatsBench); percentiles come from an ordinary
 * {@link Histogram} rebuilt from the classes, so they equal what recording the raw values would give.
 */
public final class SparseHistogram {
    /** Highest trackable value, microseconds (1 hour). */
    public static final long MAX_US = 3_600_000_000L;
    private static final Histogram TEMPLATE = new Histogram(1, MAX_US, 3);
    private static final ThreadLocal<long[][]> SCRATCH = ThreadLocal.withInitial(() -> new long[2][256]);

    private SparseHistogram() {
    }

    /** The packed histogram with {@code valueUs} added once. {@code packed} may be empty. */
    public static byte[] add(final byte[] packed, final long valueUs) {
        final long key = TEMPLATE.lowestEquivalentValue(Math.max(1, Math.min(MAX_US, valueUs)));
        long[][] s = SCRATCH.get();
        final int n = packed.length == 0 ? 0 : (int) readVarint(packed, new int[] {0});
        if (s[0].length < n + 1) {
            s = new long[][] {new long[2 * n + 2], new long[2 * n + 2]};
            SCRATCH.set(s);
        }
        final long[] keys = s[0];
        final long[] counts = s[1];
        decode(packed, keys, counts);
        final int at = Arrays.binarySearch(keys, 0, n, key);
        final int size;
        if (at >= 0) {
            counts[at] = Math.min(Integer.MAX_VALUE, counts[at] + 1);
            size = n;
        } else {
            final int ins = -at - 1;
            System.arraycopy(keys, ins, keys, ins + 1, n - ins);
            System.arraycopy(counts, ins, counts, ins + 1, n - ins);
            keys[ins] = key;
            counts[ins] = 1;
            size = n + 1;
        }
        return encode(keys, counts, size);
    }

    /**
     * Adds {@code valueUs} once, incrementing the class's 4-byte count in place when the class is already present
     * (the common case once a bucket has warmed up: a scan of the keys, no decoding of the counts, no allocation);
     * a new class falls back to {@link #add}. Returns the array holding the result: {@code packed} itself when it
     * was updated in place, so the caller must own it.
     */
    public static byte[] addInPlace(final byte[] packed, final long valueUs) {
        if (packed.length == 0) {
            return add(packed, valueUs);
        }
        final long key = TEMPLATE.lowestEquivalentValue(Math.max(1, Math.min(MAX_US, valueUs)));
        int p = 0;
        long n = 0;
        int shift = 0;
        byte b;
        do {
            b = packed[p++];
            n |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        long k = 0;
        for (long i = 0; i < n; i++) {
            long gap = 0;
            shift = 0;
            do {
                b = packed[p++];
                gap |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            k += gap;
            if (k == key) {
                final long c = ((packed[p] & 0xFFL) << 24) | ((packed[p + 1] & 0xFFL) << 16)
                    | ((packed[p + 2] & 0xFFL) << 8) | (packed[p + 3] & 0xFFL);
                if (c < Integer.MAX_VALUE) {
                    final long c1 = c + 1;
                    packed[p] = (byte) (c1 >>> 24);
                    packed[p + 1] = (byte) (c1 >>> 16);
                    packed[p + 2] = (byte) (c1 >>> 8);
                    packed[p + 3] = (byte) c1;
                }
                return packed;
            }
            if (k > key) {
                break;
            }
            p += 4;
        }
        return add(packed, valueUs);
    }

    /** The class-wise sum of two packed histograms (counts saturate at {@code Integer.MAX_VALUE}). */
    public static byte[] merge(final byte[] a, final byte[] b) {
        final int na = classes(a);
        final int nb = classes(b);
        if (nb == 0) {
            return a;
        }
        if (na == 0) {
            return b;
        }
        final long[] ka = new long[na];
        final long[] ca = new long[na];
        final long[] kb = new long[nb];
        final long[] cb = new long[nb];
        decode(a, ka, ca);
        decode(b, kb, cb);
        final long[] keys = new long[na + nb];
        final long[] counts = new long[na + nb];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < na || j < nb) {
            if (j >= nb || (i < na && ka[i] < kb[j])) {
                keys[n] = ka[i];
                counts[n++] = ca[i++];
            } else if (i >= na || kb[j] < ka[i]) {
                keys[n] = kb[j];
                counts[n++] = cb[j++];
            } else {
                keys[n] = ka[i];
                counts[n++] = Math.min(Integer.MAX_VALUE, ca[i++] + cb[j++]);
            }
        }
        return encode(keys, counts, n);
    }

    /** Occupied classes of a packed histogram. */
    public static int classes(final byte[] packed) {
        return packed.length == 0 ? 0 : (int) readVarint(packed, new int[] {0});
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
        final long[] keys = new long[n];
        final long[] counts = new long[n];
        decode(packed, keys, counts);
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += counts[i];
        }
        for (int k = 0; k < ps.length; k++) {
            final double requested = Math.min(Math.max(Math.nextAfter(ps[k], Double.NEGATIVE_INFINITY), 0.0), 100.0);
            final long target = Math.max(1, (long) Math.ceil(requested * total / 100.0));
            long cumulative = 0;
            for (int i = 0; i < n; i++) {
                cumulative += counts[i];
                if (cumulative >= target) {
                    out[k] = ps[k] == 0.0 ? keys[i] : TEMPLATE.highestEquivalentValue(keys[i]);
                    break;
                }
            }
        }
        return out;
    }

    /** An HdrHistogram holding the packed counts. */
    public static Histogram toHistogram(final byte[] packed) {
        final Histogram h = new Histogram(1, MAX_US, 3);
        final int n = classes(packed);
        final long[] keys = new long[n];
        final long[] counts = new long[n];
        decode(packed, keys, counts);
        for (int i = 0; i < n; i++) {
            h.recordValueWithCount(keys[i], counts[i]);
        }
        return h;
    }

    private static void decode(final byte[] packed, final long[] keys, final long[] counts) {
        if (packed.length == 0) {
            return;
        }
        final int[] pos = {0};
        final int n = (int) readVarint(packed, pos);
        long key = 0;
        for (int i = 0; i < n; i++) {
            key += readVarint(packed, pos);
            keys[i] = key;
            final int p = pos[0];
            counts[i] = ((packed[p] & 0xFFL) << 24) | ((packed[p + 1] & 0xFFL) << 16) | ((packed[p + 2] & 0xFFL) << 8)
                | (packed[p + 3] & 0xFFL);
            pos[0] = p + 4;
        }
    }

    private static byte[] encode(final long[] keys, final long[] counts, final int n) {
        final byte[] out = new byte[5 + n * 14];
        int p = writeVarint(out, 0, n);
        long prev = 0;
        for (int i = 0; i < n; i++) {
            p = writeVarint(out, p, keys[i] - prev);
            final long c = counts[i];
            out[p++] = (byte) (c >>> 24);
            out[p++] = (byte) (c >>> 16);
            out[p++] = (byte) (c >>> 8);
            out[p++] = (byte) c;
            prev = keys[i];
        }
        return Arrays.copyOf(out, p);
    }

    private static int writeVarint(final byte[] out, final int at, final long value) {
        int p = at;
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[p++] = (byte) v;
        return p;
    }

    private static long readVarint(final byte[] in, final int[] pos) {
        long v = 0;
        int shift = 0;
        while (true) {
            final byte b = in[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }
}
