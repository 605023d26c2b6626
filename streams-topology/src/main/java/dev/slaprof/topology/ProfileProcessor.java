package dev.slaprof.topology;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.StatsKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The stateful heart of the topology, one instance per input partition (samples are keyed by deployment, so every
 * bucket of a deployment lives here and nothing is repartitioned): each valid sample updates its bucket in the
 * changelogged store at once (exactly-once with the input offsets); a wall-clock punctuation at most every
 * {@code rateLimit} emits the snapshots of the buckets that changed and recomputes the recommendations of the
 * deployments that changed, for every SLA profile. A change of the SLA profiles or of the pins (selections topic)
 * marks every deployment dirty.
 */
final class ProfileProcessor implements Processor<Deployment, LatencySample, SpecificRecord, SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileProcessor.class);
    private final SlaTarget defaultSla;
    private final Duration rateLimit;
    private final Set<String> dirtyBuckets = new LinkedHashSet<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Map<String, Deployment> deployments = new HashMap<>();
    private ProcessorContext<SpecificRecord, SpecificRecord> context;
    private KeyValueStore<String, MappingLoadStats> stats;
    private KeyValueStore<String, Recommendation> last;
    private int slaFingerprint;
    private int pinFingerprint;

    ProfileProcessor(final SlaTarget defaultSla, final Duration rateLimit) {
        this.defaultSla = defaultSla;
        this.rateLimit = rateLimit;
    }

    @Override
    public void init(final ProcessorContext<SpecificRecord, SpecificRecord> ctx) {
        this.context = ctx;
        this.stats = ctx.getStateStore(TopologyNames.BUCKET_STATS_STORE);
        this.last = ctx.getStateStore(TopologyNames.RECOMMENDATION_STORE);
        try (KeyValueIterator<String, MappingLoadStats> it = stats.all()) {
            while (it.hasNext()) {
                final KeyValue<String, MappingLoadStats> kv = it.next();
                final String id = Keys.deploymentId(kv.value.getDeployment());
                deployments.putIfAbsent(id, kv.value.getDeployment());
                dirty.add(id);
            }
        }
        slaFingerprint = profiles().hashCode();
        pinFingerprint = pins().hashCode();
        ctx.schedule(rateLimit, PunctuationType.WALL_CLOCK_TIME, ts -> flush());
    }

    @Override
    public void process(final Record<Deployment, LatencySample> r) {
        final LatencySample s = r.value();
        final StatsKey key = Keys.bucket(s);
        final String bucketId = Keys.bucketId(key);
        final MappingLoadStats old = stats.get(bucketId);
        stats.put(bucketId, LatencyStats.add(old == null ? LatencyStats.empty(s, key.getInFlight(), key.getIsl())
            : old, s));
        dirtyBuckets.add(bucketId);
        final String id = Keys.deploymentId(s.getDeployment());
        deployments.putIfAbsent(id, s.getDeployment());
        dirty.add(id);
    }

    private void flush() {
        final long nowMs = System.currentTimeMillis();
        for (final String bucketId : dirtyBuckets) {
            final MappingLoadStats st = stats.get(bucketId);
            if (st != null) {
                LatencyStats.refreshPercentiles(st);
                context.forward(new Record<>(new StatsKey(st.getDeployment(), st.getRole(),
                    Mappings.label(st.getMapping()), st.getInFlight(), st.getIsl()), st, nowMs));
            }
        }
        dirtyBuckets.clear();
        final Map<String, SlaTarget> profiles = profiles();
        final Map<RecommendationKey, PinnedChoice> pins = pins();
        if (profiles.hashCode() != slaFingerprint || pins.hashCode() != pinFingerprint) {
            slaFingerprint = profiles.hashCode();
            pinFingerprint = pins.hashCode();
            dirty.addAll(deployments.keySet());
        }
        if (dirty.isEmpty()) {
            return;
        }
        final Map<String, Long> capacities = capacities();
        for (final String id : dirty) {
            final List<MappingLoadStats> buckets = new ArrayList<>();
            try (KeyValueIterator<String, MappingLoadStats> it = stats.prefixScan(id, new StringSerializer())) {
                while (it.hasNext()) {
                    buckets.add(LatencyStats.refreshPercentiles(it.next().value));
                }
            }
            final Deployment d = deployments.get(id);
            final Map<String, Long> caps = capacitiesOf(capacities, d);
            for (final SlaTarget sla : profiles.values()) {
                final String lastKey = id + sla.getProfile();
                final RecommendationKey key = new RecommendationKey(d, sla.getProfile());
                final Recommendation rec = Recommender.recommend(d, sla, buckets, caps, last.get(lastKey),
                    pins.get(key), nowMs * 1000);
                last.put(lastKey, rec);
                context.forward(new Record<>(key, rec, nowMs));
            }
        }
        dirty.clear();
    }

    private Map<String, SlaTarget> profiles() {
        final Map<String, SlaTarget> out = new LinkedHashMap<>();
        this.<ProfileKey, SlaTarget>forEachGlobal(TopologyNames.SLA_STORE, (k, v) -> out.put(k.getProfile(), v));
        if (out.isEmpty()) {
            out.put(defaultSla.getProfile(), defaultSla);
        }
        return out;
    }

    private Map<RecommendationKey, PinnedChoice> pins() {
        final Map<RecommendationKey, PinnedChoice> out = new HashMap<>();
        this.<RecommendationKey, PinnedChoice>forEachGlobal(TopologyNames.SELECTION_STORE, out::put);
        return out;
    }

    private Map<String, Long> capacities() {
        final Map<String, Long> out = new HashMap<>();
        this.<CapacityKey, EngineCapacity>forEachGlobal(TopologyNames.CAPACITY_STORE,
            (k, v) -> out.put(Keys.deploymentId(k.getDeployment()) + k.getMapping(), v.getMaxKvTokens()));
        return out;
    }

    /**
     * Visits the live (non-deleted) entries of a global table's store. Global stores are restored from their topics
     * as raw bytes, so an entry written with a schema this application cannot read surfaces here: it is skipped
     * (and logged once per recomputation) instead of killing the stream thread.
     */
    private <K, V> void forEachGlobal(final String store, final BiConsumer<K, V> visit) {
        final ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>> s = context.getStateStore(store);
        int skipped = 0;
        try (KeyValueIterator<K, ValueAndTimestamp<V>> it = s.all()) {
            while (it.hasNext()) {
                final KeyValue<K, ValueAndTimestamp<V>> kv;
                try {
                    kv = it.next();
                } catch (final SerializationException e) {
                    skipped++;
                    continue;
                }
                if (kv.value != null && kv.value.value() != null) {
                    visit.accept(kv.key, kv.value.value());
                }
            }
        }
        if (skipped > 0) {
            LOG.warn("skipped {} undecodable entries of {}", skipped, store);
        }
    }

    private static Map<String, Long> capacitiesOf(final Map<String, Long> all, final Deployment d) {
        final String prefix = Keys.deploymentId(d);
        final Map<String, Long> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
