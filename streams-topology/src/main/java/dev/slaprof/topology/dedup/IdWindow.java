package dev.slaprof.topology.dedup;

import java.util.Arrays;

/**
 * The event ids seen within a window of record time, held in memory as 64-bit fingerprints in one open-addressing
 * table, each tagged with the time slot (record time / slot length) it was seen in. A lookup is one probe sequence
 * whatever the window's length. When the newest slot moves on, slots older than the window are dropped by rebuilding
 * the table (once per slot length, not per sample).
 *
 * <p>Memory is bounded: past {@code maxIds} the oldest slots are dropped early, shortening the window (counted by
 * {@link #evictedEarly()}; the caller reports it). Fingerprints: a canonical UUID is folded from its 128 bits, any other
 * id is hashed (FNV-1a 64 and a finalising mix); two distinct ids share a fingerprint with probability about
 * {@code n / 2^64} per lookup against {@code n} held ids (4e6 ids: 2e-13).
 */
final class IdWindow {
    private static final int MIN_CAPACITY = 1024;
    private final long slotMs;
    private final long slotsPerWindow;
    private final int maxIds;
    /**
     * Entries as pairs: {@code table[2i]} the fingerprint (0 = empty), {@code table[2i + 1]} its slot relative to
     * {@link #base}; side by side so a lookup and the insert after it touch one cache line.
     */
    private long[] table;
    private long base = Long.MIN_VALUE;
    private int size;
    private long newestSlot = Long.MIN_VALUE;
    private long oldestSlot = Long.MIN_VALUE;
    private long evictedEarly;

    /**
     * @param windowMs how long an id is remembered (record time)
     * @param slotMs   granularity of forgetting; the window is rounded up to whole slots plus one
     * @param maxIds   most ids held before the oldest slots are dropped early
     */
    IdWindow(final long windowMs, final long slotMs, final int maxIds) {
        if (windowMs <= 0 || slotMs <= 0 || maxIds <= 0) {
            throw new IllegalArgumentException("window, slot and capacity must be positive");
        }
        this.slotMs = slotMs;
        this.slotsPerWindow = (windowMs + slotMs - 1) / slotMs + 1;
        this.maxIds = maxIds;
        clear();
    }

    /** Forgets everything. */
    void clear() {
        table = new long[2 * MIN_CAPACITY];
        size = 0;
        base = Long.MIN_VALUE;
        newestSlot = Long.MIN_VALUE;
        oldestSlot = Long.MIN_VALUE;
    }

    /** The slot of a record time. */
    long slotOf(final long timestampMs) {
        return Math.floorDiv(Math.max(0, timestampMs), slotMs);
    }

    /** Oldest slot still held (ids of older slots are forgotten); {@code Long.MIN_VALUE} before the first id. */
    long oldestSlot() {
        return oldestSlot;
    }

    /** Ids held. */
    int size() {
        return size;
    }

    /** Ids forgotten before their window ended because the table was full. */
    long evictedEarly() {
        return evictedEarly;
    }

    /**
     * Records {@code fp} seen at {@code timestampMs} unless it is already held.
     *
     * @return the slot it was recorded under, or -1 when it was already held (a duplicate)
     */
    long addIfAbsent(final long fp, final long timestampMs) {
        final long key = fp == 0 ? 1 : fp;
        final int at = find(key);
        if (table[at] == key) {
            return -1;
        }
        long slot = slotOf(timestampMs);
        if (slot > newestSlot) {
            advance(slot);
        }
        // A late record older than what is held goes into the oldest slot held, so it is still remembered.
        slot = Math.max(slot, oldestSlot);
        insert(key, slot);
        if (size > maxIds) {
            shrinkToCapacity();
        }
        return slot;
    }

    /** Loads an id recorded earlier under {@code slot} (state restoration); no duplicate check is needed. */
    void restore(final long fp, final long slot) {
        final long key = fp == 0 ? 1 : fp;
        if (slot > newestSlot) {
            advance(slot);
        }
        if (slot < oldestSlot) {
            return;
        }
        final int at = find(key);
        if (table[at] != key) {
            insert(key, slot);
            if (size > maxIds) {
                shrinkToCapacity();
            }
        }
    }

    private void advance(final long slot) {
        newestSlot = slot;
        final long oldest = slot - slotsPerWindow + 1;
        if (base == Long.MIN_VALUE) {
            base = oldest;
        }
        if (oldest > oldestSlot) {
            final boolean any = oldestSlot != Long.MIN_VALUE;
            oldestSlot = oldest;
            if (any) {
                rebuild(capacity());
            }
        }
    }

    private void shrinkToCapacity() {
        while (size > maxIds && oldestSlot < newestSlot) {
            final int before = size;
            oldestSlot++;
            rebuild(capacity());
            evictedEarly += before - size;
        }
    }

    private int find(final long key) {
        final int mask = capacity() - 1;
        int i = (int) mix(key) & mask;
        while (table[2 * i] != 0 && table[2 * i] != key) {
            i = (i + 1) & mask;
        }
        return 2 * i;
    }

    private void insert(final long key, final long slot) {
        if ((size + 1) * 4L > capacity() * 3L) {
            rebuild(capacity() * 2);
        }
        final int at = find(key);
        table[at] = key;
        table[at + 1] = slot - base;
        size++;
    }

    private int capacity() {
        return table.length / 2;
    }

    /** Re-inserts the ids of slots still held into a table of {@code capacity} entries. */
    private void rebuild(final int capacity) {
        final long[] old = table;
        table = new long[2 * capacity];
        size = 0;
        final long keep = oldestSlot - base;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0 && old[i + 1] >= keep) {
                final int at = find(old[i]);
                table[at] = old[i];
                table[at + 1] = old[i + 1];
                size++;
            }
        }
    }

    /** The fingerprint of an event id: a lower-case canonical UUID is folded from its 128 bits, others hashed. */
    static long fingerprint(final String id) {
        if (id.length() == 36) {
            long hi = 0;
            long lo = 0;
            boolean uuid = true;
            for (int i = 0; i < 36 && uuid; i++) {
                final char c = id.charAt(i);
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                    uuid = c == '-';
                } else {
                    final int d = c < HEX.length ? HEX[c] : -1;
                    uuid = d >= 0;
                    if (i < 18) {
                        hi = hi << 4 | d;
                    } else {
                        lo = lo << 4 | d;
                    }
                }
            }
            if (uuid) {
                return mix(hi) ^ Long.rotateLeft(lo, 29) * 0x9E3779B97F4A7C15L;
            }
        }
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        return mix(h ^ id.length());
    }

    /** Lower-case hexadecimal digit values, -1 elsewhere. */
    private static final byte[] HEX = new byte[128];

    static {
        Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
        }
    }

    /** MurmurHash3's 64-bit finaliser. */
    static long mix(final long v) {
        long k = v;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb33fe1a85ec3L;
        k ^= k >>> 33;
        return k;
    }

    @Override
    public String toString() {
        return "IdWindow[" + size + " ids, slots " + oldestSlot + ".." + newestSlot + " of " + slotMs + " ms]";
    }
}
