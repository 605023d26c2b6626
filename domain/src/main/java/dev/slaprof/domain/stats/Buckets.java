package dev.slaprof.domain.stats;


/**
 * Load-point buckets. Benchmark load points are exact, live traffic is not: values up to 64 keep their own bucket;
 * larger ones are rounded to 1/16 of their power of two (a relative width of 3-6 %), so 3000 and 3010 share a
 * bucket while Dynamo's sweep ISLs (100, 2621, 5142, ...) stay apart. Tables use each bucket's mean ISL.
 */
public final class Buckets {
    /** Values at or below this are exact buckets. */
    public static final int EXACT_UP_TO = 64;

    private Buckets() {
    }

    /** Bucket of a count, e.g. 3000 lies in [2048, 4096) whose width is 128, so its bucket is the nearest multiple, 2944. */
    public static int bucket(final int value) {
        if (value <= EXACT_UP_TO) {
            return Math.max(0, value);
        }
        final int high = Integer.highestOneBit(value);
        final int width = high / 16;
        return (value + width / 2) / width * width;
    }
}
