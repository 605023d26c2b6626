package dev.slaprof.topology.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The object buffer's contract on Kafka Streams' own in-memory store: objects are encoded once per flush however often
 * they were put, a cleared cache loses exactly the unflushed writes, a retaining buffer serves its objects without
 * decoding until {@code reset}, after which it sees what was written underneath, and scans see every update.
 */
class ObjectBufferStoreTest {
    /** A mutable value, so the test can tell "the same object" from "an equal copy". */
    static final class Box {
        int n;

        Box(final int n) {
            this.n = n;
        }
    }

    private final AtomicInteger encoded = new AtomicInteger();
    private final AtomicInteger decoded = new AtomicInteger();
    private KeyValueStore<String, Box> inner;

    @BeforeEach
    void setUp() {
        final Serializer<Box> ser = (topic, b) -> {
            encoded.incrementAndGet();
            return b == null ? null : Integer.toString(b.n).getBytes(StandardCharsets.UTF_8);
        };
        final Deserializer<Box> de = (topic, bytes) -> {
            decoded.incrementAndGet();
            return bytes == null ? null : new Box(Integer.parseInt(new String(bytes, StandardCharsets.UTF_8)));
        };
        final Serde<Box> serde = Serdes.serdeFrom(ser, de);
        inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("inner"), Serdes.String(), serde)
            .withLoggingDisabled().withCachingDisabled().build();
        inner.init(new MockProcessorContext<>().getStateStoreContext(), inner);
    }

    @Test
    void shouldEncodeAnObjectOnceAtTheFlushHoweverOftenItWasPut() {
        final ObjectBufferStore<String, Box> store = new ObjectBufferStore<>(inner, false);
        final Box b = new Box(0);
        final long before = store.generation();
        for (int i = 0; i < 1000; i++) {
            b.n++;
            store.put("k", b);
            assertThat(store.get("k")).isSameAs(b);
        }
        assertThat(store.generation()).as("puts do not write through").isEqualTo(before);
        assertThat(encoded.get()).isZero();
        assertThat(inner.get("k")).as("nothing reached the inner store before the flush").isNull();
        final List<String> hooked = new ArrayList<>();
        store.beforeWrite(() -> hooked.add("before write"));
        store.flushCache();
        assertThat(encoded.get()).isEqualTo(1);
        assertThat(hooked).containsExactly("before write");
        assertThat(store.generation()).isGreaterThan(before);
        assertThat(inner.get("k").n).isEqualTo(1000);
        store.flushCache();
        assertThat(encoded.get()).as("a flush with nothing dirty writes nothing").isEqualTo(1);
        assertThat(hooked).hasSize(1);
    }

    @Test
    void shouldLoseExactlyTheUnflushedWritesWhenTheCacheIsCleared() {
        final ObjectBufferStore<String, Box> store = new ObjectBufferStore<>(inner, false);
        store.put("a", new Box(1));
        store.flush();
        store.put("a", new Box(2));
        store.put("b", new Box(3));
        final long g = store.generation();
        store.clearCache();
        assertThat(store.generation()).isNotEqualTo(g);
        assertThat(store.get("a").n).as("the flushed value survives a dirty close").isEqualTo(1);
        assertThat(store.get("b")).isNull();
        assertThat(inner.get("b")).isNull();
    }

    @Test
    void shouldLetScansOfAPlainBufferSeeEveryUpdate() {
        final ObjectBufferStore<String, Box> store = new ObjectBufferStore<>(inner, false);
        store.put("a", new Box(1));
        store.put("b", new Box(2));
        store.flushCache();
        store.put("b", new Box(20));
        store.put("c", new Box(3));
        store.delete("a");
        final List<String> seen = new ArrayList<>();
        try (KeyValueIterator<String, Box> it = store.all()) {
            while (it.hasNext()) {
                final KeyValue<String, Box> kv = it.next();
                seen.add(kv.key + "=" + kv.value.n);
            }
        }
        assertThat(seen).containsExactly("b=20", "c=3");
        assertThat(inner.get("a")).as("the delete reached the inner store as a tombstone").isNull();
    }

    @Test
    void shouldServeRetainedObjectsWithoutDecodingUntilReset() {
        inner.put("a", new Box(1));
        inner.put("b", new Box(2));
        final ObjectBufferStore<String, Box> store = new ObjectBufferStore<>(inner, true);
        final int before = decoded.get();
        final Box a = store.get("a");
        assertThat(decoded.get() - before).as("the first read loads every entry once").isEqualTo(2);
        a.n = 10;
        store.put("a", a);
        store.commit(java.util.Map.of());
        assertThat(inner.get("a").n).isEqualTo(10);
        final int afterCommit = decoded.get();
        for (int i = 0; i < 100; i++) {
            assertThat(store.get("a")).as("the same object across commits").isSameAs(a);
            assertThat(store.get("b").n).isEqualTo(2);
        }
        assertThat(decoded.get()).as("no decode while retained").isEqualTo(afterCommit);
        // Restoration or a standby replica writes underneath; reset makes the next read see it.
        inner.put("b", new Box(22));
        assertThat(store.get("b").n).as("still the retained object before reset").isEqualTo(2);
        store.reset();
        assertThat(store.get("b").n).isEqualTo(22);
        assertThat(store.get("a")).isNotSameAs(a);
        assertThat(store.get("a").n).isEqualTo(10);
    }

    @Test
    void shouldDropRetainedAndDirtyObjectsOnClose() {
        final ObjectBufferStore<String, Box> store = new ObjectBufferStore<>(inner, true);
        store.put("a", new Box(1));
        store.close();
        assertThat(encoded.get()).as("a close without a flush writes nothing").isZero();
        assertThat(store.isOpen()).isFalse();
    }
}
