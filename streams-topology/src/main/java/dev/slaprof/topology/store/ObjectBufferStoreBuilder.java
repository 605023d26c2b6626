package dev.slaprof.topology.store;

import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A store builder that puts an {@link ObjectBufferStore} in front of every store its delegate builds. Caching and
 * logging settings go to the delegate, so the buffer sits above Streams' own metered, logged (and cached) layers.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class ObjectBufferStoreBuilder<K, V> implements StoreBuilder<KeyValueStore<K, V>> {
    private final StoreBuilder<KeyValueStore<K, V>> delegate;
    private final boolean retain;

    ObjectBufferStoreBuilder(final StoreBuilder<KeyValueStore<K, V>> delegate, final boolean retain) {
        this.delegate = delegate;
        this.retain = retain;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
        delegate.withCachingEnabled();
        return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
        delegate.withCachingDisabled();
        return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(final Map<String, String> config) {
        delegate.withLoggingEnabled(config);
        return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
        delegate.withLoggingDisabled();
        return this;
    }

    @Override
    public KeyValueStore<K, V> build() {
        return new ObjectBufferStore<>(delegate.build(), retain);
    }

    @Override
    public Map<String, String> logConfig() {
        return delegate.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
        return delegate.loggingEnabled();
    }

    @Override
    public String name() {
        return delegate.name();
    }
}
