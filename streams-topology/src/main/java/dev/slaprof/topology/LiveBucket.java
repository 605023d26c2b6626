package dev.slaprof.topology;

import dev.slaprof.domain.stats.DenseCounts;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.avro.MappingLoadStats;
import java.nio.ByteBuffer;

/**
 * A bucket as the profile processor updates it: its store id (built once), the object in the store and that
 * object's histograms as in-memory counts, packed into the object by {@link #sync} before it is written or read.
 */
final class LiveBucket {
    final String id;
    MappingLoadStats stats;
    DenseCounts ttft;
    DenseCounts itl;
    /** The in-memory counts hold samples the object's packed histograms do not have yet. */
    boolean unsynced;
    /** Buffer generation in which the object was last put (it is dirty there until the next commit). */
    long putGeneration = -1;
    /** Flush period in which the bucket was last listed as changed. */
    long markedFlush = -1;

    LiveBucket(final String id) {
        this.id = id;
    }

    /** Makes {@code st} the bucket's object (a new generation, or one read from the store), unpacking its counts. */
    void adopt(final MappingLoadStats st) {
        stats = st;
        ttft = DenseCounts.of(LatencyStats.packed(st.getTtft()));
        itl = DenseCounts.of(LatencyStats.packed(st.getItl()));
        unsynced = false;
        putGeneration = -1;
        markedFlush = -1;
    }

    /** Packs the in-memory counts into the object's histograms, if they hold anything new. */
    void sync() {
        if (unsynced) {
            stats.getTtft().setHistogram(ByteBuffer.wrap(ttft.pack()));
            stats.getItl().setHistogram(ByteBuffer.wrap(itl.pack()));
            unsynced = false;
        }
    }
}
