package dev.slaprof.schema;

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
import java.util.List;
import java.util.regex.Pattern;
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
 * @param prefix         prepended to every topic name ({@code ""} for the plain names of {@link TopicNames}), so
 *                       several slaprof pipelines, or several tests, share one cluster without sharing data
 */
public record Topics(
    Topic<Deployment, LatencySample> samples,
    Topic<CapacityKey, EngineCapacity> capacity,
    Topic<ProfileKey, SlaTarget> slaTargets,
    Topic<StatsKey, MappingLoadStats> stats,
    Topic<RecommendationKey, Recommendation> recommendations,
    Topic<RecommendationKey, PinnedChoice> selections,
    Topic<byte[], byte[]> deadLetters,
    SchemaRegistryClient registry,
    String prefix) {

    private static final Pattern LEGAL_PREFIX = Pattern.compile("[A-Za-z0-9._-]{0,200}");

    /** Binds every topic's serdes to the registry, under the plain topic names. */
    public static Topics create(final SchemaRegistryClient registry) {
        return create(registry, "");
    }

    /**
     * Binds every topic's serdes to the registry, under {@code prefix + name}.
     *
     * @throws IllegalArgumentException when the prefix holds a character Kafka refuses in a topic name
     */
    public static Topics create(final SchemaRegistryClient registry, final String prefix) {
        if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix + "' is not usable: Kafka topic names take "
                + "only letters, digits, '.', '_' and '-' (at most 200 here)");
        }
        return new Topics(
            avro(prefix + TopicNames.LATENCY_SAMPLES, Deployment.class, LatencySample.class, registry),
            avro(prefix + TopicNames.ENGINE_CAPACITY, CapacityKey.class, EngineCapacity.class, registry),
            avro(prefix + TopicNames.SLA_TARGETS, ProfileKey.class, SlaTarget.class, registry),
            avro(prefix + TopicNames.MAPPING_LOAD_STATS, StatsKey.class, MappingLoadStats.class, registry),
            avro(prefix + TopicNames.RECOMMENDATIONS, RecommendationKey.class, Recommendation.class, registry),
            avro(prefix + TopicNames.SELECTIONS, RecommendationKey.class, PinnedChoice.class, registry),
            new Topic<>(prefix + TopicNames.DEAD_LETTERS, Serdes.ByteArray(), Serdes.ByteArray()), registry, prefix);
    }

    /** Every topic's name, in provisioning order (the order of {@link TopicNames#ALL}). */
    public List<String> names() {
        return TopicNames.ALL.stream().map(n -> prefix + n).toList();
    }

    private static <K extends SpecificRecord, V extends SpecificRecord> Topic<K, V> avro(
        final String name, final Class<K> key, final Class<V> value, final SchemaRegistryClient registry) {
        return new Topic<>(name, AvroSerde.specific(key, registry, true), AvroSerde.specific(value, registry, false));
    }
}
