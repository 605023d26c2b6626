package dev.slaprof.sink;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
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
    private final String samplesTopic;
    private final String deadLettersTopic;
    private final Map<RecommendationKey, Path> written = new ConcurrentHashMap<>();
    /** Newest recommendation per key not yet written; the writer thread takes them (older ones are skipped). */
    private final Map<RecommendationKey, Recommendation> pending = new LinkedHashMap<>();
    /** Generation time of the recommendation last written per key. */
    private final Map<RecommendationKey, Long> writtenAtUs = new HashMap<>();
    private final Thread writerThread;
    private volatile boolean running = true;
    private final Admin admin;

    public SinkService(final Properties clientProps, final Topics topics, final Path outputDir, final String host,
                       final int port, final Supplier<Map<String, Double>> counters) throws IOException {
        this(clientProps, topics, new OutputWriter(outputDir), host, port, counters);
    }

    public SinkService(final Properties clientProps, final Topics topics, final OutputWriter writer, final String host,
                       final int port, final Supplier<Map<String, Double>> counters) throws IOException {
        this(clientProps, topics, writer, host, port, counters, HttpSurface.Options.loopback());
    }

    /** A sink whose web UI and REST API follow {@code http} (tokens, allowed hosts, TLS). */
    public SinkService(final Properties clientProps, final Topics topics, final OutputWriter writer, final String host,
                       final int port, final Supplier<Map<String, Double>> counters,
                       final HttpSurface.Options http) throws IOException {
        AccessPolicy.checkBind(host, http.access(), "web UI and REST API");
        this.writer = writer;
        this.samplesTopic = topics.samples().name();
        this.deadLettersTopic = topics.deadLetters().name();
        this.client = new PlannerClient(clientProps, topics);
        this.stats = new CompactedTopicReader<>(clientProps, topics.stats().name(),
            topics.stats().keySerde().deserializer(), topics.stats().valueSerde().deserializer());
        this.selections = new SelectionPublisher(clientProps, topics);
        this.admin = Admin.create(clientProps);
        try {
            this.api = new RestApi(client, () -> gauges(counters), host, port,
                new RestApi.UiBackend(stats, selections, writer.gpusPerNode()), http);
        } catch (final IOException | RuntimeException e) {
            client.close();
            stats.close();
            selections.close();
            admin.close();
            throw e;
        }
        // Writing a folder (npz, YAML, plots) takes far longer than reading a snapshot: the reader only hands the
        // newest snapshot per key to one writer thread, so it never falls behind the topic and a burst of
        // recomputations costs one write of the newest.
        this.writerThread = new Thread(this::writeLoop, "sink-output-writer");
        writerThread.setDaemon(true);
        writerThread.start();
        client.onChange(this::offer);
    }

    private void offer(final RecommendationKey key, final Recommendation r) {
        if (r == null) {
            return;
        }
        synchronized (pending) {
            pending.put(key, r);
            pending.notifyAll();
        }
    }

    /** Writes the newest pending snapshots until closed; what is pending at close is still written. */
    private void writeLoop() {
        while (true) {
            final Map<RecommendationKey, Recommendation> batch;
            synchronized (pending) {
                while (pending.isEmpty() && running) {
                    try {
                        pending.wait();
                    } catch (final InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                batch = new LinkedHashMap<>(pending);
                pending.clear();
            }
            batch.forEach(this::write);
        }
    }

    private void write(final RecommendationKey key, final Recommendation r) {
        try {
            written.put(key, writer.write(r));
        } catch (final RuntimeException e) {
            LOG.error("could not write outputs of {}: {}", key, e.toString());
        }
        synchronized (writtenAtUs) {
            writtenAtUs.put(key, r.getGeneratedAtUs());
            writtenAtUs.notifyAll();
        }
    }

    /**
     * Waits until the outputs of {@code r} (or of a newer recommendation of its key) are written, and returns their
     * folder; null when the timeout passes first.
     */
    public Path awaitWritten(final Recommendation r, final Duration timeout) throws InterruptedException {
        final RecommendationKey key = new RecommendationKey(r.getDeployment(), r.getSla().getProfile());
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (writtenAtUs) {
            while (writtenAtUs.getOrDefault(key, Long.MIN_VALUE) < r.getGeneratedAtUs()) {
                final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    return null;
                }
                writtenAtUs.wait(leftMs);
            }
        }
        return written.get(key);
    }

    /**
     * Gauges for /metrics: samples published and dead letters (the topics' end offsets; under exactly-once the
     * dead-letter figure also counts transaction markers), samples behind the latest snapshots, undecodable
     * snapshots skipped, plus the caller's own.
     */
    private Map<String, Double> gauges(final Supplier<Map<String, Double>> extra) {
        final Map<String, Double> g = new LinkedHashMap<>();
        g.put("slaprof_latency_samples_offsets", endOffsets(samplesTopic));
        g.put("slaprof_dead_letter_offsets", endOffsets(deadLettersTopic));
        g.put("slaprof_recommendation_samples", (double) client.all().values().stream()
            .mapToLong(Recommendation::getSamplesTotal).sum());
        g.put("slaprof_undecodable_recommendations", (double) client.undecodable());
        g.putAll(extra.get());
        return g;
    }

    private double endOffsets(final String topic) {
        try {
            final var parts = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(2, TimeUnit.SECONDS).get(topic).partitions();
            final Map<TopicPartition, OffsetSpec> q =
                new HashMap<>();
            parts.forEach(p -> q.put(new TopicPartition(topic, p.partition()),
                OffsetSpec.latest()));
            double sum = 0;
            for (final var info : admin.listOffsets(q).all().get(2, TimeUnit.SECONDS).values()) {
                sum += info.offset();
            }
            return sum;
        } catch (final ExecutionException | TimeoutException e) {
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
        running = false;
        synchronized (pending) {
            pending.notifyAll();
        }
        try {
            // A write under way finishes (it renames a complete folder into place), so outputs stay whole.
            writerThread.join(30_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stats.close();
        selections.close();
        admin.close();
    }
}
