package dev.slaprof.topology.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.domain.Fixtures;
import dev.slaprof.topology.TopologyMetrics;
import dev.slaprof.topology.TopologyNames;
import dev.slaprof.topology.store.ObjectBufferStore;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The de-duplicator alone, on Kafka Streams' {@link MockProcessorContext} (through a fixed-key view of it, which the
 * test utilities do not ship) with an in-memory chunk store: a redelivery is dropped and counted, an invalid sample
 * goes to the dead-letter child with its reason, and the ids survive a restart only as far as they were committed.
 */
class DeduplicatorTest {
    private static final Duration WINDOW = Duration.ofHours(1);
    private MockProcessorContext<byte[], LatencySample> mock;
    private KeyValueStore<Long, Deduplicator.IdChunk> chunks;

    /** {@link FixedKeyProcessorContext} over the mock: forwards are captured by the mock with their child name. */
    private static final class FixedKeyView<KF, VF> implements FixedKeyProcessorContext<KF, VF> {
        private final MockProcessorContext<KF, VF> mock;

        FixedKeyView(final MockProcessorContext<KF, VF> mock) {
            this.mock = mock;
        }

        @Override
        public <K extends KF, V extends VF> void forward(final FixedKeyRecord<K, V> r) {
            mock.forward(new Record<>(r.key(), r.value(), r.timestamp(), r.headers()));
        }

        @Override
        public <K extends KF, V extends VF> void forward(final FixedKeyRecord<K, V> r, final String child) {
            mock.forward(new Record<>(r.key(), r.value(), r.timestamp(), r.headers()), child);
        }

        @Override
        public String applicationId() {
            return mock.applicationId();
        }

        @Override
        public TaskId taskId() {
            return mock.taskId();
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return mock.recordMetadata();
        }

        @Override
        public Serde<?> keySerde() {
            return mock.keySerde();
        }

        @Override
        public Serde<?> valueSerde() {
            return mock.valueSerde();
        }

        @Override
        public File stateDir() {
            return mock.stateDir();
        }

        @Override
        public StreamsMetrics metrics() {
            return mock.metrics();
        }

        @Override
        public <S extends StateStore> S getStateStore(final String name) {
            return mock.getStateStore(name);
        }

        @Override
        public Cancellable schedule(final Duration interval, final PunctuationType type, final Punctuator p) {
            return mock.schedule(interval, type, p);
        }

        @Override
        public Cancellable schedule(final Instant start, final Duration interval, final PunctuationType type,
                                    final Punctuator p) {
            return mock.schedule(start, interval, type, p);
        }

        @Override
        public void commit() {
            mock.commit();
        }

        @Override
        public Map<String, Object> appConfigs() {
            return mock.appConfigs();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(final String prefix) {
            return mock.appConfigsWithPrefix(prefix);
        }

        @Override
        public long currentSystemTimeMs() {
            return mock.currentSystemTimeMs();
        }

        @Override
        public long currentStreamTimeMs() {
            return mock.currentStreamTimeMs();
        }
    }

    @BeforeEach
    void setUp() {
        chunks = ObjectBufferStore.wrap(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
            TopologyNames.DEDUP_STORE), Serdes.Long(), Deduplicator.chunkSerde())).withLoggingDisabled().build();
        mock = new MockProcessorContext<>();
        chunks.init(mock.getStateStoreContext(), chunks);
    }

    private Deduplicator started() {
        mock = new MockProcessorContext<>();
        mock.addStateStore(chunks);
        final Deduplicator d = new Deduplicator(WINDOW, 100_000);
        d.init(new FixedKeyView<>(mock));
        return d;
    }

    private static void send(final Deduplicator d, final LatencySample s) {
        d.process(InternalFixedKeyRecordFactory.create(new Record<>(new byte[0], s, Fixtures.T0_US / 1000)));
    }

    private static LatencySample sample(final String id) {
        final LatencySample s = Fixtures.prefill(Mappings.tp(1), 3000, 100);
        s.setEventId(id);
        return s;
    }

    private double total(final String operation) {
        return mock.metrics().metrics().entrySet().stream()
            .filter(e -> e.getKey().name().equals(operation + "-total"))
            .mapToDouble(e -> (Double) e.getValue().metricValue()).sum();
    }

    private List<String> forwardedIds(final String child) {
        return mock.forwarded(child).stream().map(f -> f.record().value().getEventId()).toList();
    }

    @Test
    void shouldDropARedeliveryAndCountIt() {
        final Deduplicator d = started();
        send(d, sample("a"));
        send(d, sample("b"));
        send(d, sample("a"));
        send(d, sample("b"));
        send(d, sample("c"));
        assertThat(forwardedIds(TopologyNames.PROFILE)).containsExactly("a", "b", "c");
        assertThat(mock.forwarded()).hasSize(3);
        assertThat(total(TopologyMetrics.DUPLICATES)).isEqualTo(2.0);
    }

    @Test
    void shouldDeadLetterAnInvalidSampleOnceWithItsReason() {
        final Deduplicator d = started();
        final LatencySample bad = sample("bad");
        bad.setInputTokens(-1);
        send(d, bad);
        send(d, bad);
        assertThat(forwardedIds(TopologyNames.PROFILE)).isEmpty();
        assertThat(mock.forwarded(TopologyNames.DEAD_LETTER_KEY)).singleElement().satisfies(f -> assertThat(
            new String(f.record().headers().lastHeader(TopologyNames.DLQ_REASON_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("invalid token counts"));
        assertThat(total(TopologyMetrics.DEAD_LETTERS)).isEqualTo(1.0);
        assertThat(total(TopologyMetrics.DUPLICATES)).as("the redelivered bad sample is a duplicate").isEqualTo(1.0);
    }

    @Test
    void shouldRememberTheCommittedIdsAcrossARestartAndForgetTheUncommittedOnes() {
        final Deduplicator first = started();
        send(first, sample("committed"));
        ObjectBufferStore.find(chunks).flushCache();
        send(first, sample("lost"));
        // A dirty close (a crash): the buffer's unflushed chunk is dropped, its input would be replayed.
        ObjectBufferStore.find(chunks).clearCache();
        first.close();
        final Deduplicator second = started();
        send(second, sample("committed"));
        send(second, sample("lost"));
        assertThat(forwardedIds(TopologyNames.PROFILE)).as("the replayed sample counts once, the committed one not")
            .containsExactly("lost");
        assertThat(total(TopologyMetrics.DUPLICATES)).isEqualTo(1.0);
    }
}
