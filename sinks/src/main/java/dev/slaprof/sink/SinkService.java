package dev.slaprof.sink;

import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sinks as one service: a {@link PlannerClient} on the compacted recommendations topic, the output directory
 * rewritten (atomically) on every change, the REST API and the live web UI (statistics from the compacted
 * {@code mapping-load-stats} topic, pins to the {@code selections} topic).
 */
public final class SinkService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkService.class);

    private final PlannerClient client;
    private final CompactedTopicReader<StatsKey, MappingLoadStats> stats;
    private final SelectionPublisher selections;
    private final RestApi api;
    private final OutputWriter writer;
    private final Map<RecommendationKey, Path> written = new ConcurrentHashMap<>();
    private final org.apache.kafka.clients.admin.Admin admin;

    public SinkService(final Properties clientProps, final Topics topics, final Path outputDir, final String host,
                       final int port, final Supplier<Map<String, Double>> counters) throws IOException {
        this(clientProps, topics, new OutputWriter(outputDir), host, port, counters);
    }

    public SinkService(final Properties clientProps, final Topics topics, final OutputWriter writer, final String host,
                       final int port, final Supplier<Map<String, Double>> counters) throws IOException {
        this.writer = writer;
        this.client = new PlannerClient(clientProps, topics);
        this.stats = new CompactedTopicReader<>(clientProps, TopicNames.MAPPING_LOAD_STATS,
            topics.stats().keySerde().deserializer(), topics.stats().valueSerde().deserializer());
        this.selections = new SelectionPublisher(clientProps, topics);
        this.admin = org.apache.kafka.clients.admin.Admin.create(clientProps);
        try {
            this.api = new RestApi(client, () -> gauges(counters), host, port,
                new RestApi.UiBackend(stats, selections, writer.gpusPerNode()));
        } catch (final IOException e) {
            client.close();
            stats.close();
            selections.close();
            admin.close();
            throw e;
        }
        client.onChange(this::write);
    }

    private void write(final RecommendationKey key, final Recommendation r) {
        if (r == null) {
            return;
        }
        try {
            written.put(key, writer.write(r));
        } catch (final RuntimeException e) {
            LOG.error("could not write outputs of {}: {}", key, e.toString());
        }
    }

    /**
     * Gauges for /metrics: samples published and dead letters (the topics' end offsets; under exactly-once the
     * dead-letter figure also counts transaction markers), samples behind the latest snapshots, undecodable
     * snapshots skipped, plus the caller's own.
     */
    private Map<String, Double> gauges(final Supplier<Map<String, Double>> extra) {
        final Map<String, Double> g = new java.util.LinkedHashMap<>();
        g.put("slaprof_latency_samples_offsets", endOffsets(TopicNames.LATENCY_SAMPLES));
        g.put("slaprof_dead_letter_offsets", endOffsets(TopicNames.DEAD_LETTERS));
        g.put("slaprof_recommendation_samples", (double) client.all().values().stream()
            .mapToLong(Recommendation::getSamplesTotal).sum());
        g.put("slaprof_undecodable_recommendations", (double) client.undecodable());
        g.putAll(extra.get());
        return g;
    }

    private double endOffsets(final String topic) {
        try {
            final var parts = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                .get(2, java.util.concurrent.TimeUnit.SECONDS).get(topic).partitions();
            final Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q =
                new java.util.HashMap<>();
            parts.forEach(p -> q.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                org.apache.kafka.clients.admin.OffsetSpec.latest()));
            double sum = 0;
            for (final var info : admin.listOffsets(q).all().get(2, java.util.concurrent.TimeUnit.SECONDS).values()) {
                sum += info.offset();
            }
            return sum;
        } catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Double.NaN;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    public PlannerClient client() {
        return client;
    }

    /** Bucket statistics, latest per bucket. */
    public CompactedTopicReader<StatsKey, MappingLoadStats> stats() {
        return stats;
    }

    /** Base URL of the REST API and web UI. */
    public String url() {
        return api.url();
    }

    /** Folder last written for a key, if any. */
    public Path folder(final RecommendationKey key) {
        return written.get(key);
    }

    @Override
    public void close() {
        api.close();
        client.close();
        stats.close();
        selections.close();
        admin.close();
    }
}
