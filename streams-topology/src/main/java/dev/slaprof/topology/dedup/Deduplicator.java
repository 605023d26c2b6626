package dev.slaprof.topology.dedup;

import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.topology.SampleValidator;
import dev.slaprof.topology.TopologyMetrics;
import dev.slaprof.topology.TopologyNames;
import dev.slaprof.topology.store.ObjectBufferStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops a sample whose event id was already seen within the de-duplication window of record time, and validates the
 * others: a valid sample goes to the {@link TopologyNames#PROFILE} child, an invalid one, with the reason in the
 * {@link TopologyNames#DLQ_REASON_HEADER} header, to the {@link TopologyNames#DEAD_LETTER_KEY} child (its id is
 * remembered too, so a redelivered bad sample is dead-lettered once). Producers retry
 * and importers re-read files; the id (a UUID, or AIPerf's x_request_id) makes a second delivery recognisable.
 * Samples of one deployment share a partition, so a duplicate always meets its first copy here.
 *
 * <p>The ids are held in memory ({@link IdWindow}: one hash probe per sample) and made durable in chunks: the ids
 * first seen in one time slot are appended to that slot's current chunk of up to {@link #CHUNK_IDS} fingerprints, a
 * chunk is one entry of a changelogged key-value store (key: slot and chunk number), and the store's
 * {@link ObjectBufferStore} writes the chunks changed since the last commit in that commit's transaction. So the
 * changelog gets a few records per commit instead of one per sample, and exactly-once holds: ids whose chunk was not
 * committed belong to input that will be replayed. On (re)initialisation the window is rebuilt from the chunks;
 * chunks of slots older than the window are deleted (tombstones).
 */
public final class Deduplicator implements FixedKeyProcessor<byte[], LatencySample, LatencySample> {
    /** Fingerprints per chunk (8 bytes each: a full chunk is a 32 KB changelog record). */
    static final int CHUNK_IDS = 4096;
    /** Bits of a chunk key that number the chunks of one slot. */
    private static final int SEQ_BITS = 24;
    private static final Logger LOG = LoggerFactory.getLogger(Deduplicator.class);
    private final Duration window;
    private final int maxIds;
    private FixedKeyProcessorContext<byte[], LatencySample> context;
    private KeyValueStore<Long, IdChunk> chunks;
    private IdWindow seen;
    /** Per slot held: how many chunks it has; the last is the one being filled. */
    private final TreeMap<Long, Integer> chunksPerSlot = new TreeMap<>();
    private final Map<Long, IdChunk> filling = new HashMap<>();
    private ObjectBufferStore<?, ?> buffer;
    /** The chunk last put into the buffer and the buffer's generation then: while both hold, it is still dirty. */
    private IdChunk lastPut;
    private long lastPutGeneration;
    private long lastPutSlot;
    private Sensor duplicates;
    private Sensor evicted;
    private Sensor deadLetters;
    private long evictedReported;

    public Deduplicator(final Duration window, final int maxIds) {
        this.window = window;
        this.maxIds = maxIds;
    }

    @Override
    public void init(final FixedKeyProcessorContext<byte[], LatencySample> ctx) {
        this.context = ctx;
        this.chunks = ctx.getStateStore(TopologyNames.DEDUP_STORE);
        this.buffer = ObjectBufferStore.find(chunks);
        this.lastPut = null;
        this.duplicates = TopologyMetrics.sensor(ctx.metrics(), TopologyMetrics.DUPLICATES);
        this.deadLetters = TopologyMetrics.sensor(ctx.metrics(), TopologyMetrics.DEAD_LETTERS);
        this.evicted = TopologyMetrics.batchSensor(ctx.metrics(), ctx.taskId().toString(),
            TopologyMetrics.DEDUP_EVICTED);
        // Slots of a sixtieth of the window (at least a second): forgetting is that coarse, and the table is rebuilt
        // that often.
        final long slotMs = Math.max(1000, window.toMillis() / 60);
        this.seen = new IdWindow(window.toMillis(), slotMs, maxIds);
        this.evictedReported = 0;
        chunksPerSlot.clear();
        filling.clear();
        try (KeyValueIterator<Long, IdChunk> it = chunks.all()) {
            while (it.hasNext()) {
                final KeyValue<Long, IdChunk> kv = it.next();
                final long slot = kv.key >>> SEQ_BITS;
                final int seq = (int) (kv.key & ((1 << SEQ_BITS) - 1));
                chunksPerSlot.merge(slot, seq + 1, Math::max);
                for (int i = 0; i < kv.value.size; i++) {
                    seen.restore(kv.value.fps[i], slot);
                }
            }
        }
        dropForgottenSlots();
    }

    @Override
    public void process(final FixedKeyRecord<byte[], LatencySample> r) {
        final long fp = IdWindow.fingerprint(r.value().getEventId());
        final long oldest = seen.oldestSlot();
        final long slot = seen.addIfAbsent(fp, r.timestamp());
        if (slot < 0) {
            duplicates.record();
            return;
        }
        append(slot, fp);
        if (seen.oldestSlot() != oldest) {
            dropForgottenSlots();
        }
        final String reason = SampleValidator.reason(r.value());
        if (reason == null) {
            context.forward(r, TopologyNames.PROFILE);
        } else {
            deadLetters.record();
            r.headers().add(TopologyNames.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
            context.forward(r, TopologyNames.DEAD_LETTER_KEY);
        }
    }

    private void append(final long slot, final long fp) {
        // Nearly every id lands in the chunk the previous one went to, which is still dirty in the buffer.
        if (lastPut != null && slot == lastPutSlot && lastPut.size < CHUNK_IDS
            && buffer.generation() == lastPutGeneration) {
            lastPut.fps[lastPut.size++] = fp;
            return;
        }
        IdChunk c = filling.get(slot);
        int seq = chunksPerSlot.getOrDefault(slot, 0) - 1;
        if (c == null || c.size == CHUNK_IDS) {
            seq++;
            c = new IdChunk(new long[CHUNK_IDS], 0);
            filling.put(slot, c);
            chunksPerSlot.put(slot, seq + 1);
        }
        c.fps[c.size++] = fp;
        if (c != lastPut || buffer.generation() != lastPutGeneration) {
            chunks.put(slot << SEQ_BITS | seq, c);
            lastPut = c;
            lastPutSlot = slot;
            lastPutGeneration = buffer.generation();
        }
    }

    /** Deletes the chunks of slots the window no longer holds, and reports ids forgotten early. */
    private void dropForgottenSlots() {
        final long oldest = seen.oldestSlot();
        while (!chunksPerSlot.isEmpty() && chunksPerSlot.firstKey() < oldest) {
            final Map.Entry<Long, Integer> e = chunksPerSlot.pollFirstEntry();
            for (int seq = 0; seq < e.getValue(); seq++) {
                chunks.delete(e.getKey() << SEQ_BITS | seq);
            }
            filling.remove(e.getKey());
            lastPut = null;
        }
        final long lost = seen.evictedEarly() - evictedReported;
        if (lost > 0) {
            evicted.record(lost);
            if (evictedReported == 0) {
                LOG.warn("de-duplication window full ({} ids): oldest ids forgotten before {} passed; raise "
                    + "the id capacity or expect redeliveries older than the kept ids to count again", seen.size(),
                    window);
            }
            evictedReported = seen.evictedEarly();
        }
    }

    @Override
    public void close() {
        seen = null;
        lastPut = null;
        filling.clear();
        chunksPerSlot.clear();
    }

    /** Fingerprints of ids first seen in one slot; mutated while it is being filled. */
    static final class IdChunk {
        final long[] fps;
        int size;

        IdChunk(final long[] fps, final int size) {
            this.fps = fps;
            this.size = size;
        }
    }

    /** A chunk as bytes: its fingerprints, 8 bytes each, big-endian. */
    public static Serde<IdChunk> chunkSerde() {
        final Serializer<IdChunk> ser = (topic, c) -> {
            if (c == null) {
                return null;
            }
            final ByteBuffer b = ByteBuffer.allocate(c.size * 8);
            for (int i = 0; i < c.size; i++) {
                b.putLong(c.fps[i]);
            }
            return b.array();
        };
        final Deserializer<IdChunk> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length % 8 != 0) {
                throw new SerializationException(
                    "a de-duplication chunk must hold whole 8-byte fingerprints, got " + bytes.length + " bytes");
            }
            final ByteBuffer b = ByteBuffer.wrap(bytes);
            final long[] fps = new long[bytes.length / 8];
            for (int i = 0; i < bytes.length / 8; i++) {
                fps[i] = b.getLong();
            }
            return new IdChunk(fps, bytes.length / 8);
        };
        return Serdes.serdeFrom(ser, de);
    }
}
