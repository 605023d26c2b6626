package dev.slaprof.topology;

import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.SlaTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * Keeps every bucket of each deployment and recomputes its recommendations, rate-limited: a changed deployment is
 * marked dirty and recomputed by a wall-clock punctuation at most once per interval, for every SLA profile. A
 * change of the SLA profiles marks every deployment dirty.
 */
final class RecommendationProcessor implements Processor<String, MappingLoadStats, RecommendationKey, Recommendation> {
    private final SlaTarget defaultSla;
    private final Duration rateLimit;
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Map<String, Deployment> deployments = new HashMap<>();
    private ProcessorContext<RecommendationKey, Recommendation> context;
    private KeyValueStore<String, MappingLoadStats> stats;
    private KeyValueStore<String, Recommendation> last;
    private int slaFingerprint;

    RecommendationProcessor(final SlaTarget defaultSla, final Duration rateLimit) {
        this.defaultSla = defaultSla;
        this.rateLimit = rateLimit;
    }

    @Override
    public void init(final ProcessorContext<RecommendationKey, Recommendation> ctx) {
        this.context = ctx;
        this.stats = ctx.getStateStore(TopologyNames.DEPLOYMENT_STATS_STORE);
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
        ctx.schedule(rateLimit, PunctuationType.WALL_CLOCK_TIME, ts -> flush());
    }

    @Override
    public void process(final Record<String, MappingLoadStats> r) {
        final MappingLoadStats s = r.value();
        if (s == null) {
            return;
        }
        final String id = Keys.deploymentId(s.getDeployment());
        stats.put(Keys.bucketId(s), s);
        deployments.putIfAbsent(id, s.getDeployment());
        dirty.add(id);
    }

    private void flush() {
        final Map<String, SlaTarget> profiles = profiles();
        if (profiles.hashCode() != slaFingerprint) {
            slaFingerprint = profiles.hashCode();
            dirty.addAll(deployments.keySet());
        }
        if (dirty.isEmpty()) {
            return;
        }
        final Map<String, Long> capacities = capacities();
        final long now = System.currentTimeMillis() * 1000;
        for (final String id : new ArrayList<>(dirty)) {
            final List<MappingLoadStats> buckets = new ArrayList<>();
            try (KeyValueIterator<String, MappingLoadStats> it = stats.prefixScan(id, new StringSerializer())) {
                while (it.hasNext()) {
                    buckets.add(it.next().value);
                }
            }
            final Deployment d = deployments.get(id);
            final Map<String, Long> caps = capacitiesOf(capacities, d);
            for (final SlaTarget sla : profiles.values()) {
                final String lastKey = id + sla.getProfile();
                final Recommendation rec = Recommender.recommend(d, sla, buckets, caps, last.get(lastKey), now);
                last.put(lastKey, rec);
                context.forward(new Record<>(new RecommendationKey(d, sla.getProfile()), rec, now / 1000));
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

    private Map<String, Long> capacities() {
        final Map<String, Long> out = new HashMap<>();
        this.<CapacityKey, EngineCapacity>forEachGlobal(TopologyNames.CAPACITY_STORE,
            (k, v) -> out.put(Keys.deploymentId(k.getDeployment()) + k.getMapping(), v.getMaxKvTokens()));
        return out;
    }

    /** Visits the live (non-deleted) entries of a global table's store. */
    private <K, V> void forEachGlobal(final String store, final BiConsumer<K, V> visit) {
        final ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>> s = context.getStateStore(store);
        try (KeyValueIterator<K, ValueAndTimestamp<V>> it = s.all()) {
            while (it.hasNext()) {
                final KeyValue<K, ValueAndTimestamp<V>> kv = it.next();
                if (kv.value != null && kv.value.value() != null) {
                    visit.accept(kv.key, kv.value.value());
                }
            }
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
