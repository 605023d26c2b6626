package dev.slaprof.schema;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry that slaprof uses. Implemented in memory (the embedded default) and
 * over HTTP (Confluent Schema Registry, Karapace, Redpanda, Apicurio's ccompat API).
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** A registered schema: global id, subject, version. */
    record Registered(int id, String subject, int version, Schema schema) {
    }

    /** Registers a schema under a subject, or returns the id it already has; refuses incompatible schemas. */
    int register(String subject, Schema schema);

    /** Schema by global id; throws {@link SchemaRegistryException} with {@code 40403} when unknown. */
    Schema byId(int id);

    /** Latest version of a subject, if the subject exists. */
    Optional<Registered> latest(String subject);

    /** A given version of a subject. */
    Registered version(String subject, int version);

    /** The id of this exact schema under the subject, if registered. */
    Optional<Registered> lookup(String subject, Schema schema);

    /** True when registering the schema under the subject would be accepted. */
    boolean isCompatible(String subject, Schema schema);

    /** Compatibility level of a subject (the global level when the subject has none). */
    Compatibility compatibility(String subject);

    /** Sets a subject's compatibility level. */
    void setCompatibility(String subject, Compatibility level);

    /** All subjects. */
    List<String> subjects();

    /** Versions of a subject. */
    List<Integer> versions(String subject);

    @Override
    default void close() {
    }
}
