package dev.slaprof.topology;

import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.SchemaRegistryClient;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.DeadLetter;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.topology.dedup.Deduplicator;
import dev.slaprof.topology.store.ObjectBufferStore;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The slaprof topology: samples (keyed by deployment) are de-duplicated by event id and validated (bad ones
 * dead-lettered with the reason in a header); valid ones update their bucket's statistics in a store, and at most
 * once per rate-limit interval the changed buckets go to the compacted {@code mapping-load-stats} topic and the
 * changed deployments' recommendations, one per SLA profile, to the compacted {@code recommendations} topic. All
 * in one sub-topology: no repartition topic, one pass over each sample.
 */
public final class SlaprofTopology {
    private SlaprofTopology() {
    }

    /**
     * Builds the topology. No I/O.
     *
     * @param props       the Streams configuration (naming enforcement is read from it)
     * @param defaultSla  the profile used when {@code sla-targets} is empty
     * @param rateLimit   minimum interval between two recomputations of one deployment
     */
    public static Topology build(final Properties props, final Topics topics, final SlaTarget defaultSla,
                                 final Duration rateLimit) {
        return build(props, topics, defaultSla, rateLimit, null);
    }

    /**
     * Builds the topology with an ageing horizon: samples older than {@code horizon} leave the statistics (two
     * generations per bucket, see {@code ProfileProcessor}), so a changed engine is re-learned. Null = none.
     */
    public static Topology build(final Properties props, final Topics topics, final SlaTarget defaultSla,
                                 final Duration rateLimit, final Duration horizon) {
        if (horizon != null && (horizon.isNegative() || horizon.toMillis() < 2000)) {
            throw new IllegalArgumentException("the ageing horizon must be at least 2 s, got " + horizon);
        }
        final Object dlq = props.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (dlq != null && !dlq.equals(topics.deadLetters().name())) {
            throw new IllegalArgumentException("Streams' dead-letter queue is '" + dlq + "' but the topics' is '"
                + topics.deadLetters().name() + "': build the settings with the same Topics (StreamsSettings)");
        }
        final int maxIds = dedupMaxIds(props);
        final SchemaRegistryClient registry = topics.registry();
        final StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        builder.globalTable(topics.slaTargets().name(), Consumed.with(topics.slaTargets().keySerde(),
                topics.slaTargets().valueSerde()).withName("sla-targets-source"),
            Materialized.as(TopologyNames.SLA_STORE));
        builder.globalTable(topics.capacity().name(), Consumed.with(topics.capacity().keySerde(),
                topics.capacity().valueSerde()).withName("engine-capacity-source"),
            Materialized.as(TopologyNames.CAPACITY_STORE));
        builder.globalTable(topics.selections().name(), Consumed.with(topics.selections().keySerde(),
                topics.selections().valueSerde()).withName("selections-source"),
            Materialized.as(TopologyNames.SELECTION_STORE));
        // Chunks of id fingerprints, buffered as objects until the commit (Streams' byte cache is off: every id is
        // new, so it would only add eviction work; NamedCache.evict led the profile when it was on).
        builder.addStateStore(ObjectBufferStore.wrap(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TopologyNames.DEDUP_STORE), Serdes.Long(), Deduplicator.chunkSerde())
            .withCachingDisabled()));
        final KStream<byte[], LatencySample> samples = builder.stream(topics.samples().name(),
                // Keys stay bytes: every processor reads the deployment from the value, so decoding the key would be
                // wasted work per sample (and a producer's odd key cannot fail a valid sample).
                Consumed.with(Serdes.ByteArray(), topics.samples().valueSerde()).withName("samples-source"))
            .processValues(() -> new Deduplicator(TopologyNames.DEDUP_WINDOW, maxIds),
                Named.as(TopologyNames.DEDUPLICATE), TopologyNames.DEDUP_STORE);
        // The de-duplicator validates as well and hands each new sample to one of its two children by name: the
        // dead-letter path or the profile processor (two processor nodes per sample fewer than a split/branch).
        buildDeadLetterBranch(samples, topics);
        buildProfileBranch(builder, samples, topics, AvroSerde.anySpecific(registry, true),
            AvroSerde.anySpecific(registry, false), defaultSla, rateLimit, horizon);
        return builder.build();
    }

    /** The de-duplication capacity per task: {@value TopologyNames#DEDUP_MAX_IDS_CONFIG} or the default. */
    static int dedupMaxIds(final Properties props) {
        final String v = props.getProperty(TopologyNames.DEDUP_MAX_IDS_CONFIG);
        if (v == null || v.isBlank()) {
            return TopologyNames.DEDUP_MAX_IDS;
        }
        try {
            final int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (final NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(TopologyNames.DEDUP_MAX_IDS_CONFIG + " must be a positive number of ids, got '"
            + v + "'");
    }

    private static void buildDeadLetterBranch(final KStream<byte[], LatencySample> invalid,
                                              final Topics topics) {
        invalid.selectKey((k, v) -> v.getEventId(), Named.as(TopologyNames.DEAD_LETTER_KEY))
            .to(topics.deadLetters().name(), Produced.with(Serdes.String(), topics.samples().valueSerde())
                .withName("dead-letters-sink"));
    }

    private static void buildProfileBranch(final StreamsBuilder builder, final KStream<byte[], LatencySample> valid,
                                           final Topics topics, final AvroSerde<SpecificRecord> anyKey,
                                           final AvroSerde<SpecificRecord> anyValue, final SlaTarget defaultSla,
                                           final Duration rateLimit, final Duration horizon) {
        // Buckets are held as objects (a retaining ObjectBufferStore): decoded once when the task starts, encoded and
        // written to the changelog once per commit when changed, however many samples updated them in between.
        builder.addStateStore(ObjectBufferStore.wrapRetained(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TopologyNames.BUCKET_STATS_STORE), Serdes.String(),
            topics.stats().valueSerde()).withCachingDisabled()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TopologyNames.RECOMMENDATION_STORE), Serdes.String(),
            topics.recommendations().valueSerde()).withCachingEnabled());
        final String[] stores = horizon == null
            ? new String[] {TopologyNames.BUCKET_STATS_STORE, TopologyNames.RECOMMENDATION_STORE}
            : new String[] {TopologyNames.BUCKET_STATS_STORE, TopologyNames.RECOMMENDATION_STORE,
                TopologyNames.BUCKET_PREVIOUS_STORE};
        if (horizon != null) {
            builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TopologyNames.BUCKET_PREVIOUS_STORE), Serdes.String(),
                topics.stats().valueSerde()).withCachingEnabled());
        }
        // Routed by key type: a statistics tombstone (an aged-out bucket) has no value to look at.
        final Map<String, KStream<SpecificRecord, SpecificRecord>> out = valid
            .process(() -> new ProfileProcessor(defaultSla, rateLimit, horizon), Named.as(TopologyNames.PROFILE), stores)
            .split(Named.as("output-"))
            .branch((k, v) -> v instanceof DeadLetter, Branched.as("failures"))
            .branch((k, v) -> k instanceof StatsKey, Branched.as("stats"))
            .defaultBranch(Branched.as("recommendations"));
        out.get("output-failures").to(topics.deadLetters().name(), Produced.with(anyKey, anyValue)
            .withName("recompute-failures-sink"));
        out.get("output-stats").to(topics.stats().name(), Produced.with(anyKey, anyValue)
            .withName("mapping-load-stats-sink"));
        out.get("output-recommendations").to(topics.recommendations().name(), Produced.with(anyKey, anyValue)
            .withName("recommendations-sink"));
    }
}
