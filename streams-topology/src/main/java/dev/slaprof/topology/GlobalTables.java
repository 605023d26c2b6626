package dev.slaprof.topology;

import dev.slaprof.domain.stats.Keys;
import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.SlaTarget;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the profile processor reads from the global tables: the SLA profiles, the user's pins and the engines'
 * capacities. Global stores are restored from their topics as raw bytes, so an entry written with a schema this
 * application cannot read surfaces here: it is skipped (and logged once per read) instead of killing the stream
 * thread.
 */
final class GlobalTables {
    private static final Logger LOG = LoggerFactory.getLogger(GlobalTables.class);

    private final ProcessorContext<?, ?> context;
    private final SlaTarget defaultSla;

    GlobalTables(final ProcessorContext<?, ?> context, final SlaTarget defaultSla) {
        this.context = context;
        this.defaultSla = defaultSla;
    }

    /** The SLA profiles by name, or the default profile alone while the table is empty. */
    Map<String, SlaTarget> profiles() {
        final Map<String, SlaTarget> out = new LinkedHashMap<>();
        this.<ProfileKey, SlaTarget>forEach(TopologyNames.SLA_STORE, (k, v) -> out.put(k.getProfile(), v));
        if (out.isEmpty()) {
            out.put(defaultSla.getProfile(), defaultSla);
        }
        return out;
    }

    /** The user's pins (the selections topic). */
    Map<RecommendationKey, PinnedChoice> pins() {
        final Map<RecommendationKey, PinnedChoice> out = new HashMap<>();
        this.<RecommendationKey, PinnedChoice>forEach(TopologyNames.SELECTION_STORE, out::put);
        return out;
    }

    /** Decode sweep caps of a deployment's engines, by mapping label (only capped ones). */
    Map<String, Integer> sweepCaps(final Deployment d) {
        final Map<String, Integer> out = new TreeMap<>();
        this.<CapacityKey, EngineCapacity>forEach(TopologyNames.CAPACITY_STORE, (k, v) -> {
            if (v.getDecodeSweepCap() > 0 && k.getDeployment().equals(d)) {
                out.put(k.getMapping(), v.getDecodeSweepCap());
            }
        });
        return out;
    }

    /** Every engine's KV capacity in tokens, by deployment id followed by mapping label. */
    Map<String, Long> capacities() {
        final Map<String, Long> out = new HashMap<>();
        this.<CapacityKey, EngineCapacity>forEach(TopologyNames.CAPACITY_STORE,
            (k, v) -> out.put(Keys.deploymentId(k.getDeployment()) + k.getMapping(), v.getMaxKvTokens()));
        return out;
    }

    /** One deployment's part of {@link #capacities()}, by mapping label. */
    static Map<String, Long> capacitiesOf(final Map<String, Long> all, final Deployment d) {
        final String prefix = Keys.deploymentId(d);
        final Map<String, Long> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Visits the live (non-deleted) entries of a global table's store, skipping undecodable ones. */
    private <K, V> void forEach(final String store, final BiConsumer<K, V> visit) {
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
}
