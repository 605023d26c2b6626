package dev.slaprof.topology;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A key-value store that keeps written values as objects in front of Kafka Streams' own (metered, logged) store
 * until the next commit, when they are written through, serialized once. A bucket updated by thousands of samples
 * between two commits is then decoded once and encoded once instead of once per sample.
 *
 * <p>Exactly-once is kept: before it commits a task's transaction Streams flushes the caches of the task's stores
 * (under exactly-once it flushes caches, not stores, at every commit), and this store, being such a cache (Streams'
 * internal {@code CachedStateStore}), writes its dirty objects into the inner store right there, so they reach the
 * changelog in the same transaction as the input offsets; a store flush or commit writes them through as well. When a
 * task is closed dirty (a crash, a corrupted task) Streams clears the caches, and the input the lost objects came
 * from is replayed. {@code KillNineIT} checks this with SIGKILL. Reads that scan (range, prefix, all) write the dirty objects through first, so
 * they see every update.
 *
 * <p>Callers may mutate a value they got and must then {@code put} it; the store hands out its own objects.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class ObjectBufferStore<K, V> implements KeyValueStore<K, V>,
    org.apache.kafka.streams.state.internals.CachedStateStore<K, V> {
    private final KeyValueStore<K, V> inner;
    private final Map<K, V> dirty = new LinkedHashMap<>();

    /**
     * No read cache is kept across commits on purpose: Streams restores and updates stores underneath (restoration,
     * standby and warm-up replicas recycled into active tasks write to the inner store directly), so an object held
     * past a commit could go stale. Objects live from their first read after a commit to the next commit.
     */
    ObjectBufferStore(final KeyValueStore<K, V> inner) {
        this.inner = inner;
    }

    /** Wraps a store builder so that the stores it builds get this buffer in front. */
    static <K, V> StoreBuilder<KeyValueStore<K, V>> wrap(final StoreBuilder<KeyValueStore<K, V>> builder) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
                builder.withCachingEnabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
                builder.withCachingDisabled();
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(final Map<String, String> config) {
                builder.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
                builder.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<K, V> build() {
                return new ObjectBufferStore<>(builder.build());
            }

            @Override
            public Map<String, String> logConfig() {
                return builder.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return builder.loggingEnabled();
            }

            @Override
            public String name() {
                return builder.name();
            }
        };
    }

    /** Writes every dirty object into the inner store (serializing it once). */
    private void writeThrough() {
        if (dirty.isEmpty()) {
            return;
        }
        for (final Map.Entry<K, V> e : dirty.entrySet()) {
            inner.put(e.getKey(), e.getValue());
        }
        dirty.clear();
    }

    @Override
    public V get(final K key) {
        if (dirty.containsKey(key)) {
            return dirty.get(key);
        }
        return inner.get(key);
    }

    @Override
    public void put(final K key, final V value) {
        dirty.put(key, value);
    }

    @Override
    public V putIfAbsent(final K key, final V value) {
        final V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(final List<KeyValue<K, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public V delete(final K key) {
        final V old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public KeyValueIterator<K, V> range(final K from, final K to) {
        writeThrough();
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeThrough();
        return inner.all();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(final P prefix, final PS serializer) {
        writeThrough();
        return inner.prefixScan(prefix, serializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries() + dirty.size();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        inner.init(context, root);
    }

    @Override
    public boolean setFlushListener(final org.apache.kafka.streams.state.internals.CacheFlushListener<K, V> listener,
                                    final boolean sendOldValues) {
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void flushCache() {
        writeThrough();
        if (inner instanceof org.apache.kafka.streams.state.internals.CachedStateStore<?, ?> c) {
            c.flushCache();
        }
    }

    @Override
    public void clearCache() {
        dirty.clear();
        if (inner instanceof org.apache.kafka.streams.state.internals.CachedStateStore<?, ?> c) {
            c.clearCache();
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        writeThrough();
        inner.flush();
    }

    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
        writeThrough();
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(final TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public void close() {
        dirty.clear();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public long approximateNumUncommittedBytes() {
        return inner.approximateNumUncommittedBytes();
    }

    @Override
    public org.apache.kafka.streams.query.Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public <R> org.apache.kafka.streams.query.QueryResult<R> query(final org.apache.kafka.streams.query.Query<R> query,
                                                                   final org.apache.kafka.streams.query.PositionBound bound,
                                                                   final org.apache.kafka.streams.query.QueryConfig config) {
        writeThrough();
        return inner.query(query, bound, config);
    }
}
