package dev.slaprof.topology;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.StatsKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The slaprof topology: samples are validated (bad ones dead-lettered with the reason in a header), bucketed and
 * aggregated into {@code mapping-load-stats}; bucket snapshots are re-keyed by deployment and the recommender
 * recomputes, at most once per rate-limit interval per deployment, one recommendation per SLA profile into the
 * compacted {@code recommendations} topic.
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
        final StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        builder.globalTable(topics.slaTargets().name(), Consumed.with(topics.slaTargets().keySerde(),
                topics.slaTargets().valueSerde()).withName("sla-targets-source"),
            Materialized.as(TopologyNames.SLA_STORE));
        builder.globalTable(topics.capacity().name(), Consumed.with(topics.capacity().keySerde(),
                topics.capacity().valueSerde()).withName("engine-capacity-source"),
            Materialized.as(TopologyNames.CAPACITY_STORE));
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(TopologyNames.DEDUP_STORE,
            TopologyNames.DEDUP_WINDOW.multipliedBy(2), TopologyNames.DEDUP_WINDOW.multipliedBy(2), false),
            Serdes.String(), Serdes.Long()));
        final KStream<Deployment, LatencySample> samples = builder.stream(topics.samples().name(),
                Consumed.with(topics.samples().keySerde(), topics.samples().valueSerde()).withName("samples-source"))
            .processValues(() -> new Deduplicator(TopologyNames.DEDUP_WINDOW), Named.as("deduplicate"),
                TopologyNames.DEDUP_STORE);
        final Map<String, KStream<Deployment, LatencySample>> branches = samples.split(Named.as("validate-"))
            .branch((k, v) -> SampleValidator.reason(v) != null, Branched.as("invalid"))
            .defaultBranch(Branched.as("valid"));
        buildDeadLetterBranch(branches.get("validate-invalid"), topics);
        buildStatsBranch(branches.get("validate-valid"), topics);
        buildRecommendationBranch(builder, topics, defaultSla, rateLimit);
        return builder.build();
    }

    private static void buildDeadLetterBranch(final KStream<Deployment, LatencySample> invalid,
                                              final Topics topics) {
        invalid.processValues(ReasonHeader::new, Named.as("dead-letter-reason"))
            .selectKey((k, v) -> v.getEventId(), Named.as("dead-letter-key"))
            .to(topics.deadLetters().name(), Produced.with(Serdes.String(), topics.samples().valueSerde())
                .withName("dead-letters-sink"));
    }

    private static void buildStatsBranch(final KStream<Deployment, LatencySample> valid, final Topics topics) {
        valid.selectKey((k, v) -> Keys.bucket(v), Named.as("key-by-bucket"))
            .groupByKey(Grouped.with(TopologyNames.SAMPLES_BY_BUCKET, topics.stats().keySerde(),
                topics.samples().valueSerde()))
            .aggregate(() -> null,
                (key, sample, agg) -> LatencyStats.add(agg == null ? LatencyStats.empty(sample, key.getInFlight(),
                    key.getIsl()) : agg, sample),
                Named.as("bucket-stats"),
                Materialized.<StatsKey, MappingLoadStats, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as(
                    TopologyNames.BUCKET_STATS_STORE).withKeySerde(topics.stats().keySerde())
                    .withValueSerde(topics.stats().valueSerde()))
            .toStream(Named.as("bucket-stats-changes"))
            .to(topics.stats().name(), Produced.with(topics.stats().keySerde(), topics.stats().valueSerde())
                .withName("mapping-load-stats-sink"));
    }

    private static void buildRecommendationBranch(final StreamsBuilder builder, final Topics topics,
                                                  final SlaTarget defaultSla, final Duration rateLimit) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TopologyNames.DEPLOYMENT_STATS_STORE), Serdes.String(),
            topics.stats().valueSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(TopologyNames.RECOMMENDATION_STORE), Serdes.String(),
            topics.recommendations().valueSerde()));
        builder.stream(topics.stats().name(), Consumed.with(topics.stats().keySerde(), topics.stats().valueSerde())
                .withName("stats-source"))
            .selectKey((k, v) -> Keys.deploymentId(k.getDeployment()), Named.as("key-by-deployment"))
            .repartition(Repartitioned.<String, MappingLoadStats>as(TopologyNames.STATS_BY_DEPLOYMENT)
                .withKeySerde(Serdes.String()).withValueSerde(topics.stats().valueSerde()))
            .process(() -> new RecommendationProcessor(defaultSla, rateLimit), Named.as("recommender"),
                TopologyNames.DEPLOYMENT_STATS_STORE, TopologyNames.RECOMMENDATION_STORE)
            .to(topics.recommendations().name(), Produced.with(topics.recommendations().keySerde(),
                topics.recommendations().valueSerde()).withName("recommendations-sink"));
    }

    /** Puts the validation failure into a header of the dead-lettered record. */
    private static final class ReasonHeader implements FixedKeyProcessor<Deployment, LatencySample, LatencySample> {
        private FixedKeyProcessorContext<Deployment, LatencySample> context;

        @Override
        public void init(final FixedKeyProcessorContext<Deployment, LatencySample> ctx) {
            this.context = ctx;
        }

        @Override
        public void process(final FixedKeyRecord<Deployment, LatencySample> r) {
            final String reason = SampleValidator.reason(r.value());
            r.headers().add(TopologyNames.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
            context.forward(r);
        }
    }
}
