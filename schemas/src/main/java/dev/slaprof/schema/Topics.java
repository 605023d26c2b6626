package dev.slaprof.schema;

import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.DeadLetter;
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
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The immutable registry of typed topics, bound to one schema registry.
 *
 * @param samples        {@link TopicNames#LATENCY_SAMPLES}
 * @param capacity       {@link TopicNames#ENGINE_CAPACITY}
 * @param slaTargets     {@link TopicNames#SLA_TARGETS}
 * @param stats          {@link TopicNames#MAPPING_LOAD_STATS}
 * @param recommendations {@link TopicNames#RECOMMENDATIONS}
 * @param selections     {@link TopicNames#SELECTIONS}: pinned choices, a tombstone unpins
 * @param deadLetters    {@link TopicNames#DEAD_LETTERS}: raw bytes with the reason in headers
 * @param registry       the schema registry the serdes use
 */
public record Topics(
    Topic<Deployment, LatencySample> samples,
    Topic<CapacityKey, EngineCapacity> capacity,
    Topic<ProfileKey, SlaTarget> slaTargets,
    Topic<StatsKey, MappingLoadStats> stats,
    Topic<RecommendationKey, Recommendation> recommendations,
    Topic<RecommendationKey, PinnedChoice> selections,
    Topic<byte[], byte[]> deadLetters,
    SchemaRegistryClient registry) {

    /** Binds every topic's serdes to the registry. */
    public static Topics create(final SchemaRegistryClient registry) {
        return new Topics(
            avro(TopicNames.LATENCY_SAMPLES, Deployment.class, LatencySample.class, registry),
            avro(TopicNames.ENGINE_CAPACITY, CapacityKey.class, EngineCapacity.class, registry),
            avro(TopicNames.SLA_TARGETS, ProfileKey.class, SlaTarget.class, registry),
            avro(TopicNames.MAPPING_LOAD_STATS, StatsKey.class, MappingLoadStats.class, registry),
            avro(TopicNames.RECOMMENDATIONS, RecommendationKey.class, Recommendation.class, registry),
            avro(TopicNames.SELECTIONS, RecommendationKey.class, PinnedChoice.class, registry),
            new Topic<>(TopicNames.DEAD_LETTERS, Serdes.ByteArray(), Serdes.ByteArray()), registry);
    }

    /** Dead letters as Avro records, for tools that want typed access. */
    public static Topic<String, DeadLetter> deadLettersAvro(final SchemaRegistryClient registry) {
        return new Topic<>(TopicNames.DEAD_LETTERS, Serdes.String(), AvroSerde.specific(DeadLetter.class, registry, false));
    }

    private static <K extends SpecificRecord, V extends SpecificRecord> Topic<K, V> avro(
        final String name, final Class<K> key, final Class<V> value, final SchemaRegistryClient registry) {
        return new Topic<>(name, AvroSerde.specific(key, registry, true), AvroSerde.specific(value, registry, false));
    }
}
