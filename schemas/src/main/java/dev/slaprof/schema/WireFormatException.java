package dev.slaprof.schema;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that is not valid Confluent wire format, or whose schema cannot be resolved.
 * A {@link SerializationException}, so Kafka clients and Streams' deserialization handlers see it as such;
 * {@link #kind()} says which rule failed so a dead-letter record can carry it.
 */
public final class WireFormatException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Payload shorter than the 5-byte header. */
        TRUNCATED_HEADER,
        /** First byte is not 0. */
        UNKNOWN_MAGIC_BYTE,
        /** The 4-byte id is not known to the registry. */
        UNKNOWN_SCHEMA_ID,
        /** The Avro body ended early or is corrupt. */
        TRUNCATED_PAYLOAD,
        /** The writer schema cannot be read as the reader schema. */
        INCOMPATIBLE_SCHEMA,
        /** The registry refused to register a schema. */
        REGISTRATION_REFUSED,
        /** The record could not be written. */
        SERIALIZATION_FAILED
    }

    private final Kind kind;

    public WireFormatException(final Kind kind, final String message, final Throwable cause) {
        super(kind + ": " + message, cause);
        this.kind = kind;
    }

    public WireFormatException(final Kind kind, final String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
