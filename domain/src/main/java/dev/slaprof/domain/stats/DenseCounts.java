package dev.slaprof.domain.stats;

import java.util.Arrays;

/**
 * A histogram being updated, in memory: the counts of a contiguous window of HdrHistogram classes as a plain
 * {@code int[]}, so adding a value is one array increment (one cache line) instead of a search through the packed
 * entries of {@link SparseHistogram}. It is packed back into that form (the form stored and published) when the
 * bucket is written or read. The window grows to take new classes up to {@link #MAX_WINDOW} classes (16 KB of counts);
 * values beyond it go to a small packed overflow, so memory stays bounded whatever the latencies.
 */
public final class DenseCounts {
    /** Most classes the window spans. */
    static final int MAX_WINDOW = 4096;
    /** Classes added on each side when the window grows, so a slowly widening tail does not copy every time. */
    private static final int SLACK = 32;
    private static final int TOP = SparseHistogram.index(SparseHistogram.MAX_US);
    private int base;
    private int[] counts;
    /** Classes of the window with a non-zero count (so packing is one pass). */
    private int occupied;
    private byte[] overflow = new byte[0];

    private DenseCounts(final int base, final int[] counts) {
        this.base = base;
        this.counts = counts;
    }

    /** The counts of a packed histogram, ready for updates. */
    public static DenseCounts of(final byte[] packed) {
        final int n = SparseHistogram.classes(packed);
        if (n == 0) {
            return new DenseCounts(0, new int[0]);
        }
        final int first = SparseHistogram.key(packed, 0);
        final int last = SparseHistogram.key(packed, (n - 1) * SparseHistogram.ENTRY);
        final int width = Math.min(MAX_WINDOW, last - first + 1);
        final DenseCounts d = new DenseCounts(first, new int[width]);
        for (int p = 0; p < packed.length; p += SparseHistogram.ENTRY) {
            final int k = SparseHistogram.key(packed, p);
            if (k - first >= width) {
                // The classes past the window (entries are sorted) stay packed, as the overflow.
                d.overflow = Arrays.copyOfRange(packed, p, packed.length);
                break;
            }
            d.counts[k - first] = (int) SparseHistogram.count(packed, p);
            d.occupied++;
        }
        return d;
    }

    /** Adds a value (microseconds) once. */
    public void add(final long valueUs) {
        final int k = SparseHistogram.index(valueUs);
        int i = k - base;
        if (i < 0 || i >= counts.length) {
            if (!grow(k)) {
                overflow = SparseHistogram.addInPlace(overflow, valueUs);
                return;
            }
            i = k - base;
        }
        final int c = counts[i];
        if (c == 0) {
            occupied++;
        }
        if (c != Integer.MAX_VALUE) {
            counts[i] = c + 1;
        }
    }

    /** Widens the window to hold class {@code k}; false when that would pass {@link #MAX_WINDOW}. */
    private boolean grow(final int k) {
        if (counts.length == 0) {
            base = Math.max(1, k - SLACK);
            counts = new int[Math.min(TOP, k + SLACK) - base + 1];
            return true;
        }
        final int lo = Math.min(base, k);
        final int hi = Math.max(base + counts.length - 1, k);
        if (hi - lo + 1 > MAX_WINDOW) {
            return false;
        }
        final int newLo = Math.max(1, Math.max(hi - MAX_WINDOW + 1, k < base ? lo - SLACK : lo));
        final int newHi = Math.min(TOP, Math.min(newLo + MAX_WINDOW - 1, k > base ? hi + SLACK : hi));
        final int[] wider = new int[newHi - newLo + 1];
        System.arraycopy(counts, 0, wider, base - newLo, counts.length);
        counts = wider;
        base = newLo;
        return true;
    }

    /** The counts in {@link SparseHistogram}'s packed form. */
    public byte[] pack() {
        final byte[] out = new byte[occupied * SparseHistogram.ENTRY];
        int p = 0;
        for (int i = 0; p < out.length; i++) {
            final int c = counts[i];
            if (c != 0) {
                final int k = base + i;
                out[p] = (byte) (k >>> 8);
                out[p + 1] = (byte) k;
                out[p + 2] = (byte) (c >>> 24);
                out[p + 3] = (byte) (c >>> 16);
                out[p + 4] = (byte) (c >>> 8);
                out[p + 5] = (byte) c;
                p += SparseHistogram.ENTRY;
            }
        }
        return overflow.length == 0 ? out : SparseHistogram.merge(out, overflow);
    }

    @Override
    public String toString() {
        return "DenseCounts[" + base + "+" + counts.length + ", overflow " + overflow.length / SparseHistogram.ENTRY
            + " classes, " + Arrays.stream(counts).asLongStream().sum() + " in window]";
    }
}
