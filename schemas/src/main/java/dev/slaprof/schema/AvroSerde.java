package dev.slaprof.schema;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for the Confluent wire format: byte 0 = magic 0, bytes 1-4 = big-endian schema id, then the Avro binary
 * body. Subjects follow TopicNameStrategy ({@code <topic>-key}, {@code <topic>-value}). Writers, readers and schema
 * ids are cached (an uncached serde measured 3x slower). Malformed input raises {@link WireFormatException}.
 *
 * @param <T> a generated SpecificRecord class, or {@link GenericRecord}
 */
public final class AvroSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
    static {
        // Avro allocates what a length prefix says before reading it. Bytes written under another registry's schema
        // id (same id, other schema) decode as garbage lengths, and a 2 GB allocation is an OutOfMemoryError that
        // killed a reader thread instead of a decode error. Records here are at most a few MB (topic limit 8 MB).
        limit("org.apache.avro.limits.bytes.maxLength", 16 * 1024 * 1024);
        limit("org.apache.avro.limits.string.maxLength", 16 * 1024 * 1024);
        limit("org.apache.avro.limits.collectionItems.maxLength", 16 * 1024 * 1024);
    }

    private static void limit(final String property, final int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    /** Magic byte of the Confluent framing. */
    public static final byte MAGIC = 0;
    /** Header length: magic byte + 4-byte id. */
    public static final int HEADER = 5;

    private static final ThreadLocal<ByteArrayOutputStream> BUFFER =
        ThreadLocal.withInitial(() -> new ByteArrayOutputStream(512));
    private static final ThreadLocal<BinaryEncoder> ENCODER = new ThreadLocal<>();
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    private final SchemaRegistryClient registry;
    private final boolean isKey;
    private final Schema readerSchema;
    private final boolean specific;
    private final boolean autoRegister;
    private final Map<String, SubjectCache> idCache = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    private record SubjectCache(Schema schema, int id) {
    }

    private AvroSerde(final SchemaRegistryClient registry, final boolean isKey, final Schema readerSchema,
                      final boolean specific, final boolean autoRegister) {
        AvroTrust.install();
        this.registry = registry;
        this.isKey = isKey;
        this.readerSchema = readerSchema;
        this.specific = specific;
        this.autoRegister = autoRegister;
    }

    /** Serde for a generated class; reads any compatible writer version into the class's schema. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(final Class<T> type,
                                                                   final SchemaRegistryClient registry,
                                                                   final boolean isKey) {
        return new AvroSerde<>(registry, isKey, SpecificData.get().getSchema(type), true, true);
    }

    /**
     * Serde for any generated record type: writes each record with its own schema, reads each record into the
     * generated class its writer schema names. For an output shared by several record types.
     */
    public static AvroSerde<SpecificRecord> anySpecific(final SchemaRegistryClient registry, final boolean isKey) {
        return new AvroSerde<>(registry, isKey, null, true, true);
    }

    /** Serde for generic records; {@code readerSchema} null reads each record with its writer schema. */
    public static AvroSerde<GenericRecord> generic(final Schema readerSchema, final SchemaRegistryClient registry,
                                                   final boolean isKey) {
        return new AvroSerde<>(registry, isKey, readerSchema, false, true);
    }

    /** Subject name under TopicNameStrategy. */
    public static String subject(final String topic, final boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public void configure(final Map<String, ?> configs, final boolean key) {
        // Configured at construction; Kafka's configure call carries nothing this serde needs.
    }

    @Override
    public byte[] serialize(final String topic, final T data) {
        if (data == null) {
            return null;
        }
        final Schema schema = ((GenericContainer) data).getSchema();
        final int id = idFor(topic, schema);
        final ByteArrayOutputStream out = BUFFER.get();
        out.reset();
        out.write(MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, ENCODER.get());
            ENCODER.set(encoder);
            writers.computeIfAbsent(schema, this::newWriter).write(data, encoder);
            encoder.flush();
        } catch (final IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new WireFormatException(WireFormatException.Kind.SERIALIZATION_FAILED,
                "cannot write " + schema.getFullName() + " to " + topic + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private int idFor(final String topic, final Schema schema) {
        final SubjectCache cached = idCache.get(topic);
        if (cached != null && cached.schema() == schema) {
            return cached.id();
        }
        final String subject = subject(topic, isKey);
        final int id;
        try {
            id = autoRegister ? registry.register(subject, schema)
                : registry.lookup(subject, schema).orElseThrow(() -> new SchemaRegistryException(
                    SchemaRegistryException.SCHEMA_NOT_FOUND, "schema not registered under " + subject)).id();
        } catch (final SchemaRegistryException e) {
            throw new WireFormatException(WireFormatException.Kind.REGISTRATION_REFUSED,
                "registry refused " + schema.getFullName() + " under " + subject + ": " + e.getMessage(), e);
        }
        idCache.put(topic, new SubjectCache(schema, id));
        return id;
    }

    @SuppressWarnings("unchecked")
    private DatumWriter<Object> newWriter(final Schema schema) {
        return specific ? new SpecificDatumWriter<>(schema) : (DatumWriter<Object>) (DatumWriter<?>)
            new GenericDatumWriter<GenericRecord>(schema, GenericData.get());
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(final String topic, final byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < HEADER) {
            throw new WireFormatException(WireFormatException.Kind.TRUNCATED_HEADER,
                "record of " + data.length + " bytes on " + topic + " is shorter than the 5-byte header");
        }
        if (data[0] != MAGIC) {
            throw new WireFormatException(WireFormatException.Kind.UNKNOWN_MAGIC_BYTE,
                "magic byte " + data[0] + " on " + topic + " (expected 0)");
        }
        final int id = ByteBuffer.wrap(data, 1, 4).getInt();
        final DatumReader<Object> reader = readerFor(topic, id);
        try {
            final BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, HEADER, data.length - HEADER, DECODER.get());
            DECODER.set(decoder);
            return (T) reader.read(null, decoder);
        } catch (final EOFException e) {
            throw new WireFormatException(WireFormatException.Kind.TRUNCATED_PAYLOAD,
                "Avro body of schema " + id + " on " + topic + " ends early", e);
        } catch (final IOException | RuntimeException e) {
            throw new WireFormatException(WireFormatException.Kind.TRUNCATED_PAYLOAD,
                "Avro body of schema " + id + " on " + topic + " is corrupt: " + e, e);
        }
    }

    /** The reader of the last schema id seen (one topic nearly always carries one id): no map lookup per record. */
    private record LastReader(int id, DatumReader<Object> reader) {
    }

    private volatile LastReader last;

    private DatumReader<Object> readerFor(final String topic, final int id) {
        final LastReader l = last;
        if (l != null && l.id == id) {
            return l.reader;
        }
        final DatumReader<Object> cached = readers.get(id);
        if (cached != null) {
            last = new LastReader(id, cached);
            return cached;
        }
        final Schema writer;
        try {
            writer = registry.byId(id);
        } catch (final SchemaRegistryException e) {
            throw new WireFormatException(WireFormatException.Kind.UNKNOWN_SCHEMA_ID,
                "schema id " + id + " on " + topic + " is unknown to the registry: " + e.getMessage(), e);
        }
        final Schema reader = readerSchema == null ? writer : readerSchema;
        final var compat = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new WireFormatException(WireFormatException.Kind.INCOMPATIBLE_SCHEMA,
                "writer schema " + id + " (" + writer.getFullName() + ") cannot be read as " + reader.getFullName()
                    + ": " + compat.getDescription());
        }
        final DatumReader<Object> fresh = newReader(writer, reader);
        readers.put(id, fresh);
        return fresh;
    }

    @SuppressWarnings("unchecked")
    private DatumReader<Object> newReader(final Schema writer, final Schema reader) {
        if (specific) {
            return new SpecificDatumReader<>(writer, reader);
        }
        return (DatumReader<Object>) (DatumReader<?>) new GenericDatumReader<GenericRecord>(writer, reader);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void close() {
        // Nothing to release: the registry client is owned by whoever created it.
    }
}
