package dev.slaprof.schema.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest value per key of a compacted topic, kept current by a reader thread: reads every partition from the
 * beginning with {@code read_committed} and no consumer group (every instance sees every key), applies tombstones,
 * skips and counts records it cannot decode, and calls listeners on every change before the new value becomes
 * visible (so a listener that writes files runs before a reader of {@link #all()} sees the value).
 *
 * @param <K> key type
 * @param <V> value type
 */
public class CompactedTopicReader<K, V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicReader.class);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final Map<K, V> latest = new ConcurrentHashMap<>();
    private final List<BiConsumer<K, V>> listeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<K, V>> observers = new CopyOnWriteArrayList<>();
    private final AtomicLong undecodable = new AtomicLong();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile RuntimeException failure;
    /** Notified after each batch of changes is visible, and when the reader stops. */
    private final Object applied = new Object();

    /** Starts reading {@code topic}; waits at most 30 s for its metadata. */
    public CompactedTopicReader(final Properties clientProps, final String topic, final Deserializer<K> keys,
                                final Deserializer<V> values) {
        this.topic = topic;
        this.keys = keys;
        this.values = values;
        final Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        // Bytes in, decoded here: a record that does not decode is skipped in place, without the seek and re-fetch
        // a consumer-side deserialization error costs (a topic shared with foreign writers may hold thousands).
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> parts = new ArrayList<>();
        for (final PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            parts.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        reader = new Thread(this::read, "reader-" + topic);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Registers a callback for every new value (called on the reader thread; a null value is a tombstone) and
     * replays the values held so far to it.
     */
    public void onChange(final BiConsumer<K, V> listener) {
        listeners.add(listener);
        latest.forEach(listener);
    }

    /**
     * Registers a callback called after a new value has become visible through {@link #all()} and
     * {@link #latest(Object)} (on the reader thread): for notifying others who will read it back, such as live
     * web pages.
     */
    public void afterChange(final BiConsumer<K, V> observer) {
        observers.add(observer);
    }

    private void read() {
        try {
            while (running) {
                final ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (final var raw : batch) {
                    final K key;
                    final V value;
                    try {
                        key = raw.key() == null ? null : keys.deserialize(topic, raw.headers(), raw.key());
                        value = raw.value() == null ? null : values.deserialize(topic, raw.headers(), raw.value());
                    } catch (final RuntimeException | StackOverflowError e) {
                        // A record this reader cannot decode (another registry, a foreign writer) is skipped and
                        // counted; the reader keeps serving the ones it can read. Garbage can nest deeply.
                        final long n = undecodable.incrementAndGet();
                        if (n <= 10 || n % 1000 == 0) {
                            LOG.warn("skipping undecodable record of {} at {}-{}@{} ({} so far): {}", topic, topic,
                                raw.partition(), raw.offset(), n, e.getMessage());
                        }
                        continue;
                    }
                    if (key == null) {
                        continue;
                    }
                    for (final var l : listeners) {
                        try {
                            l.accept(key, value);
                        } catch (final RuntimeException e) {
                            LOG.error("listener of {} failed for {}: {}", topic, key, e.toString());
                        }
                    }
                    changed(key);
                    if (value == null) {
                        latest.remove(key);
                    } else {
                        latest.put(key, value);
                    }
                    for (final var o : observers) {
                        try {
                            o.accept(key, value);
                        } catch (final RuntimeException e) {
                            LOG.error("observer of {} failed for {}: {}", topic, key, e.toString());
                        }
                    }
                }
                if (!batch.isEmpty()) {
                    synchronized (applied) {
                        applied.notifyAll();
                    }
                }
            }
        } catch (final WakeupException e) {
            // close() asked the reader to stop.
        } catch (final RuntimeException e) {
            // Never die silently: a reader that stopped would serve stale values for ever.
            LOG.error("reader of {} stopped: {}", topic, e.toString(), e);
            failure = e;
        } finally {
            consumer.close();
            synchronized (applied) {
                applied.notifyAll();
            }
        }
    }

    /**
     * Waits until {@code condition} holds for the values held (checked now and after every batch the reader applies),
     * at most {@code timeout}; false when it did not hold in time or the reader stopped.
     */
    public boolean awaitUntil(final Predicate<Map<K, V>> condition, final Duration timeout)
        throws InterruptedException {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (applied) {
            while (!condition.test(latest)) {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0 || failure != null || !reader.isAlive()) {
                    return false;
                }
                applied.wait(Math.max(1, leftNs / 1_000_000));
            }
            return true;
        }
    }

    /** Hook for subclasses: a key is about to change (called on the reader thread). */
    protected void changed(final K key) {
    }

    /** Why the reader thread stopped, if it did (then {@link #all()} no longer changes). */
    public Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Records of the topic skipped because they could not be decoded. */
    public long undecodable() {
        return undecodable.get();
    }

    /** Every latest value. */
    public Map<K, V> all() {
        return Map.copyOf(latest);
    }

    /** The latest value of a key. */
    public Optional<V> latest(final K key) {
        return Optional.ofNullable(latest.get(key));
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
