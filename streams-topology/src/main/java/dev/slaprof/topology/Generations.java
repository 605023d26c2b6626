package dev.slaprof.topology;

import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The ageing of buckets under a horizon H. A bucket holds two generations, each spanning at most H/2 of event time:
 * the current one (in the stats store) and the previous one (in its own store). A sample more than H/2 after the
 * current generation's first event starts a new generation and the current becomes the previous (or is dropped when
 * the gap exceeds H), so every sample in the statistics is at most H older than the newest, and every sample younger
 * than H/2 is in them. Without a horizon samples are kept for ever and a bucket is its one generation.
 */
final class Generations {
    /**
     * What a wall-clock expiry removed, by bucket id: whole buckets (their last statistics), and buckets that lost
     * their previous generation (their current one).
     */
    record Expired(Map<String, MappingLoadStats> gone, Map<String, MappingLoadStats> shrunk) {
    }

    private final KeyValueStore<String, MappingLoadStats> stats;
    /** The previous generations, or null without a horizon. */
    private final KeyValueStore<String, MappingLoadStats> previous;
    private final long horizonMs;
    private final long halfHorizonUs;

    private Generations(final KeyValueStore<String, MappingLoadStats> stats,
                        final KeyValueStore<String, MappingLoadStats> previous, final Duration horizon) {
        this.stats = stats;
        this.previous = previous;
        this.horizonMs = horizon == null ? Long.MAX_VALUE : horizon.toMillis();
        this.halfHorizonUs = horizon == null ? Long.MAX_VALUE : horizon.toNanos() / 2000;
    }

    /** Buckets that never age. */
    static Generations forever(final KeyValueStore<String, MappingLoadStats> stats) {
        return new Generations(stats, null, null);
    }

    /** Buckets that age under {@code horizon}, their previous generations in {@code previous}. */
    static Generations under(final Duration horizon, final KeyValueStore<String, MappingLoadStats> stats,
                             final KeyValueStore<String, MappingLoadStats> previous) {
        return new Generations(stats, previous, horizon);
    }

    /**
     * The current generation of the sample's bucket, or null when the sample starts a new one (the current one then
     * becomes the previous, or is dropped when the gap exceeds the horizon).
     */
    MappingLoadStats current(final LiveBucket bucket, final LatencySample s) {
        final MappingLoadStats cur = stats.get(bucket.id);
        if (previous == null || cur == null || cur.getFirstEventUs() == Long.MAX_VALUE) {
            return cur;
        }
        final long ageUs = s.getEventTimeUs() - cur.getFirstEventUs();
        if (ageUs < halfHorizonUs) {
            return cur;
        }
        if (ageUs < 2 * halfHorizonUs) {
            if (bucket.stats == cur) {
                bucket.sync();
            }
            previous.put(bucket.id, cur);
        } else {
            previous.delete(bucket.id);
        }
        return null;
    }

    /** The bucket's statistics as published: both generations joined under a horizon. */
    MappingLoadStats view(final String bucketId, final MappingLoadStats cur) {
        if (previous == null || cur == null) {
            return cur;
        }
        final MappingLoadStats prev = previous.get(bucketId);
        return prev == null ? cur : LatencyStats.merge(prev, cur);
    }

    /**
     * Wall-clock ageing: a bucket whose newest sample is older than the horizon is deleted, and a previous generation
     * that old is dropped. The caller publishes the tombstones and recomputes the deployments.
     */
    Expired expire(final long nowMs) {
        final long limitUs = (nowMs - horizonMs) * 1000;
        final Map<String, MappingLoadStats> gone = new LinkedHashMap<>();
        final Map<String, MappingLoadStats> shrunk = new LinkedHashMap<>();
        try (KeyValueIterator<String, MappingLoadStats> it = stats.all()) {
            while (it.hasNext()) {
                final KeyValue<String, MappingLoadStats> kv = it.next();
                final MappingLoadStats prev = previous.get(kv.key);
                if (kv.value.getLastEventUs() < limitUs) {
                    gone.put(kv.key, kv.value);
                } else if (prev != null && prev.getLastEventUs() < limitUs) {
                    shrunk.put(kv.key, kv.value);
                }
            }
        }
        for (final String id : gone.keySet()) {
            stats.delete(id);
            previous.delete(id);
        }
        shrunk.keySet().forEach(previous::delete);
        return new Expired(gone, shrunk);
    }
}
