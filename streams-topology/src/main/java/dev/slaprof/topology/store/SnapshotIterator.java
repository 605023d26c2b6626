package dev.slaprof.topology.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * A store iterator over a copy of the entries taken when it is created: the caller may write to the store while it
 * iterates (a processor recomputing a deployment updates the buckets it scans), and sees what was there at the start.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class SnapshotIterator<K, V> implements KeyValueIterator<K, V> {
    private final Iterator<Map.Entry<K, V>> entries;
    private Map.Entry<K, V> next;

    SnapshotIterator(final Collection<Map.Entry<K, V>> entries) {
        this.entries = new ArrayList<>(entries).iterator();
        this.next = this.entries.hasNext() ? this.entries.next() : null;
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public KeyValue<K, V> next() {
        final KeyValue<K, V> kv = KeyValue.pair(peekNextKey(), next.getValue());
        next = entries.hasNext() ? entries.next() : null;
        return kv;
    }

    @Override
    public K peekNextKey() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        return next.getKey();
    }

    @Override
    public void close() {
        // Nothing to release: the entries are a copy in memory.
    }
}
