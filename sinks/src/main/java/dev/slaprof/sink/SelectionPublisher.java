package dev.slaprof.sink;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.RecommendationKey;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes pins to the compacted {@code selections} topic (idempotent, acks=all): a {@link PinnedChoice} per
 * deployment and profile, a tombstone to unpin. The topology reads the topic as a global table, so a pin survives
 * restarts of every component and applies on every instance.
 */
public final class SelectionPublisher implements AutoCloseable {
    private final KafkaProducer<RecommendationKey, PinnedChoice> producer;
    private final String topic;
    /** The last pin this sink published per key (an empty Optional after an unpin). */
    private final Map<RecommendationKey, Optional<PinnedChoice>> last = new ConcurrentHashMap<>();

    public SelectionPublisher(final Properties clientProps, final Topics topics) {
        this.topic = topics.selections().name();
        final Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        producer = new KafkaProducer<>(p, topics.selections().keySerde().serializer(),
            topics.selections().valueSerde().serializer());
    }

    /** Publishes a pin (or, with null, an unpin) and waits for the broker's acknowledgement. */
    public RecordMetadata publish(final RecommendationKey key, final PinnedChoice pin) {
        try {
            final RecordMetadata md = producer.send(new ProducerRecord<>(topic, key, pin)).get(20, TimeUnit.SECONDS);
            last.put(key, Optional.ofNullable(pin));
            return md;
        } catch (final ExecutionException e) {
            throw new IllegalStateException("could not publish the selection: " + e.getCause().getMessage(), e);
        } catch (final TimeoutException e) {
            throw new IllegalStateException("could not publish the selection: no acknowledgement within 20 s", e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the selection", e);
        }
    }

    /**
     * The current pin of {@code key}: the last this sink published, else {@code fromRecommendation} (the
     * topology's view, which also holds other sinks' pins).
     */
    public PinnedChoice current(final RecommendationKey key, final PinnedChoice fromRecommendation) {
        final Optional<PinnedChoice> mine = last.get(key);
        return mine != null ? mine.orElse(null) : fromRecommendation;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
