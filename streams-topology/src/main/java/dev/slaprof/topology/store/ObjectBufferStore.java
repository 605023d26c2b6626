package dev.slaprof.topology.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

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
 * from is replayed. {@code KillNineIT} checks this with SIGKILL. In a plain buffer, reads that scan (range, prefix,
 * all) write the dirty objects through first, so they see every update.
 *
 * <p>Callers may mutate a value they got and must then {@code put} it; the store hands out its own objects.
 *
 * <p>A <em>retaining</em> buffer ({@link #wrapRetained}) also keeps every entry as an object across commits (for small
 * stores of objects that are expensive to decode, like the buckets): reads and scans are served from memory, and
 * only the dirty entries are encoded at each commit. Streams writes underneath the buffer while it restores a task or
 * keeps a standby replica, so the processor using it calls {@link #reset} from its {@code init} (a task starts or
 * restarts processing only through that) and the buffer reloads from the inner store on its next read; clearing the
 * caches (a dirty close) and closing reset it too.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ObjectBufferStore<K, V> implements KeyValueStore<K, V>,
    CachedStateStore<K, V> {
    private final KeyValueStore<K, V> inner;
    private final Map<K, V> dirty = new LinkedHashMap<>();
    private final boolean retain;
    /** Retaining only: every entry in key order (for scans), or null until loaded from the inner store. */
    private TreeMap<K, V> live;
    /** Retaining only: the same entries hashed (for the per-sample gets). */
    private final Map<K, V> index = new HashMap<>();
    /** Counts write-throughs and resets: an object put since the last change of it is still dirty. */
    private long generation;
    /** Run before dirty objects are serialized (a processor brings derived state into them). */
    private Runnable beforeWrite = () -> { };

    /**
     * A plain buffer keeps no read cache across commits: objects live from their first read after a commit to the next
     * commit. A retaining one keeps them until {@link #reset} (see the class comment).
     */
    ObjectBufferStore(final KeyValueStore<K, V> inner, final boolean retain) {
        this.inner = inner;
        this.retain = retain;
    }

    /** Wraps a store builder so that the stores it builds get this buffer in front. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> wrap(final StoreBuilder<KeyValueStore<K, V>> builder) {
        return wrap(builder, false);
    }

    /**
     * Wraps a store builder so that the stores it builds get a retaining buffer in front (keys must be
     * {@link Comparable}); its processor must call {@link #reset} from {@code init}.
     */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> wrapRetained(final StoreBuilder<KeyValueStore<K, V>> builder) {
        return wrap(builder, true);
    }

    /** The buffer under a store handed to a processor (through Streams' wrappers). */
    public static ObjectBufferStore<?, ?> find(final StateStore store) {
        StateStore s = store;
        while (!(s instanceof ObjectBufferStore<?, ?>)) {
            if (!(s instanceof WrappedStateStore<?, ?, ?> w)) {
                throw new IllegalStateException("store " + store.name() + " has no object buffer");
            }
            s = w.wrapped();
        }
        return (ObjectBufferStore<?, ?>) s;
    }

    /**
     * Changes whenever the dirty objects are written through or dropped: an object {@code put} while the generation
     * is unchanged is still dirty, so a caller that keeps mutating the same object need not put it again.
     */
    public long generation() {
        return generation;
    }

    /** Drops the retained objects, so the next read reloads what restoration or a standby replica wrote underneath. */
    public void reset() {
        dropRetained();
    }

    private void dropRetained() {
        live = null;
        index.clear();
        generation++;
    }

    private static <K, V> StoreBuilder<KeyValueStore<K, V>> wrap(final StoreBuilder<KeyValueStore<K, V>> builder,
                                                                   final boolean retain) {
        return new ObjectBufferStoreBuilder<>(builder, retain);
    }

    /**
     * Sets what runs before the dirty objects are serialized (at each commit, and before scans of a plain buffer):
     * a processor that keeps part of an object's state elsewhere (in-memory histograms) writes it into the object.
     */
    public void beforeWrite(final Runnable hook) {
        this.beforeWrite = hook == null ? () -> { } : hook;
    }

    /** Writes every dirty object into the inner store (serializing it once). */
    private void writeThrough() {
        if (dirty.isEmpty()) {
            return;
        }
        beforeWrite.run();
        for (final Map.Entry<K, V> e : dirty.entrySet()) {
            inner.put(e.getKey(), e.getValue());
        }
        dirty.clear();
        generation++;
    }

    /** Retaining only: every entry, loading them from the inner store (and the dirty ones) when needed. */
    private TreeMap<K, V> live() {
        if (live == null) {
            final TreeMap<K, V> all = new TreeMap<>();
            try (KeyValueIterator<K, V> it = inner.all()) {
                while (it.hasNext()) {
                    final KeyValue<K, V> kv = it.next();
                    all.put(kv.key, kv.value);
                }
            }
            dirty.forEach((k, v) -> {
                if (v == null) {
                    all.remove(k);
                } else {
                    all.put(k, v);
                }
            });
            live = all;
            index.clear();
            index.putAll(all);
        }
        return live;
    }

    @Override
    public V get(final K key) {
        if (retain) {
            if (live == null) {
                live();
            }
            return index.get(key);
        }
        if (dirty.containsKey(key)) {
            return dirty.get(key);
        }
        return inner.get(key);
    }

    @Override
    public void put(final K key, final V value) {
        if (retain) {
            if (value == null) {
                live().remove(key);
                index.remove(key);
            } else if (get(key) != value) {
                live.put(key, value);
                index.put(key, value);
            }
        }
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
        if (retain) {
            return snapshot(from == null && to == null ? live().entrySet()
                : from == null ? live().headMap(to, true).entrySet()
                : to == null ? live().tailMap(from, true).entrySet()
                : live().subMap(from, true, to, true).entrySet());
        }
        writeThrough();
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        if (retain) {
            return snapshot(live().entrySet());
        }
        writeThrough();
        return inner.all();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(final P prefix, final PS serializer) {
        if (retain && prefix instanceof String p) {
            final List<Map.Entry<K, V>> out = new ArrayList<>();
            for (final Map.Entry<K, V> e : live().tailMap((K) p, true).entrySet()) {
                if (!((String) e.getKey()).startsWith(p)) {
                    break;
                }
                out.add(e);
            }
            return snapshot(out);
        }
        writeThrough();
        return inner.prefixScan(prefix, serializer);
    }

    /** An iterator over a copy of the entries (callers may write to the store while iterating). */
    private KeyValueIterator<K, V> snapshot(final Collection<Map.Entry<K, V>> entries) {
        return new SnapshotIterator<>(entries);
    }

    @Override
    public long approximateNumEntries() {
        return retain && live != null ? live.size() : inner.approximateNumEntries() + dirty.size();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        dropRetained();
        inner.init(context, root);
    }

    @Override
    public boolean setFlushListener(final CacheFlushListener<K, V> listener,
                                    final boolean sendOldValues) {
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void flushCache() {
        writeThrough();
        if (inner instanceof CachedStateStore<?, ?> c) {
            c.flushCache();
        }
    }

    @Override
    public void clearCache() {
        dirty.clear();
        dropRetained();
        if (inner instanceof CachedStateStore<?, ?> c) {
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
        dropRetained();
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
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public <R> QueryResult<R> query(final Query<R> query, final PositionBound bound, final QueryConfig config) {
        // Interactive queries run on the caller's thread: they read what the last commit wrote, never the buffer.
        return inner.query(query, bound, config);
    }
}
