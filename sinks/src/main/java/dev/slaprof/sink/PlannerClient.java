package dev.slaprof.sink;

import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For planners that consume the compacted {@code recommendations} topic directly: reads it from the beginning with
 * {@code read_committed} (no consumer group; every instance sees every key), keeps the latest snapshot per key,
 * and calls back on every change. {@link PlannerView} answers table queries on a snapshot; the REST API and the
 * file writer are built on this class, so all three agree.
 */
public final class PlannerClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlannerClient.class);

    private final KafkaConsumer<RecommendationKey, Recommendation> consumer;
    private final Map<RecommendationKey, Recommendation> latest = new ConcurrentHashMap<>();
    private final Map<RecommendationKey, PlannerView> views = new ConcurrentHashMap<>();
    private final List<BiConsumer<RecommendationKey, Recommendation>> listeners = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final java.util.concurrent.atomic.AtomicLong undecodable = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean running = true;

    public PlannerClient(final Properties clientProps, final Topics topics) {
        final Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(p, topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
        final List<TopicPartition> parts = new ArrayList<>();
        for (final PartitionInfo info : consumer.partitionsFor(TopicNames.RECOMMENDATIONS, Duration.ofSeconds(30))) {
            parts.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        reader = new Thread(this::read, "planner-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Registers a callback for every new snapshot (called on the reader thread). */
    public void onChange(final BiConsumer<RecommendationKey, Recommendation> listener) {
        listeners.add(listener);
        latest.forEach(listener);
    }

    private void read() {
        try {
            while (running) {
                final org.apache.kafka.clients.consumer.ConsumerRecords<RecommendationKey, Recommendation> batch;
                try {
                    batch = consumer.poll(Duration.ofMillis(200));
                } catch (final RecordDeserializationException e) {
                    // A snapshot this client cannot decode (another registry, a foreign writer) is skipped and
                    // counted; the client keeps serving the ones it can read.
                    undecodable.incrementAndGet();
                    LOG.warn("skipping undecodable recommendation at {}@{}: {}", e.topicPartition(), e.offset(),
                        e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                    continue;
                }
                for (final var r : batch) {
                    if (r.value() == null) {
                        latest.remove(r.key());
                        views.remove(r.key());
                        continue;
                    }
                    // Listeners (the file writer) run first, so a snapshot is visible here only once its files exist.
                    for (final var l : listeners) {
                        try {
                            l.accept(r.key(), r.value());
                        } catch (final RuntimeException e) {
                            LOG.error("recommendation listener failed for {}: {}", r.key(), e.toString());
                        }
                    }
                    views.remove(r.key());
                    latest.put(r.key(), r.value());
                }
            }
        } catch (final WakeupException e) {
            // close() asked the reader to stop.
        } finally {
            consumer.close();
        }
    }

    /** Records of the topic skipped because they could not be decoded. */
    public long undecodable() {
        return undecodable.get();
    }

    /** Every latest snapshot. */
    public Map<RecommendationKey, Recommendation> all() {
        return Map.copyOf(latest);
    }

    /** The latest snapshot of a key. */
    public Optional<Recommendation> latest(final RecommendationKey key) {
        return Optional.ofNullable(latest.get(key));
    }

    /** Table queries on the latest snapshot of a key (built once per snapshot). */
    public Optional<PlannerView> view(final RecommendationKey key) {
        final Recommendation r = latest.get(key);
        return r == null ? Optional.empty() : Optional.of(views.computeIfAbsent(key, k -> new PlannerView(r)));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
