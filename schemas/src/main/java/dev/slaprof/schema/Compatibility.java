package dev.slaprof.schema;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Schema compatibility levels of the Confluent registry, checked with Avro's {@link SchemaCompatibility}. */
public enum Compatibility {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /**
     * Checks a candidate against the existing versions (oldest first).
     *
     * @return null when compatible, else a message naming the first incompatibility
     */
    public String check(final Schema candidate, final List<Schema> existing) {
        if (this == NONE || existing.isEmpty()) {
            return null;
        }
        final boolean transitive = name().endsWith("TRANSITIVE");
        final List<Schema> against = transitive ? existing : List.of(existing.get(existing.size() - 1));
        for (final Schema old : against) {
            final String problem = checkOne(candidate, old);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private String checkOne(final Schema candidate, final Schema old) {
        final boolean backward = this != FORWARD && this != FORWARD_TRANSITIVE;
        final boolean forward = this != BACKWARD && this != BACKWARD_TRANSITIVE;
        if (backward) {
            final var r = SchemaCompatibility.checkReaderWriterCompatibility(candidate, old);
            if (r.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return "new schema cannot read data written with an existing version: " + describe(r);
            }
        }
        if (forward) {
            final var r = SchemaCompatibility.checkReaderWriterCompatibility(old, candidate);
            if (r.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return "an existing version cannot read data written with the new schema: " + describe(r);
            }
        }
        return null;
    }

    private static String describe(final SchemaCompatibility.SchemaPairCompatibility r) {
        final var incompat = r.getResult().getIncompatibilities();
        if (incompat.isEmpty()) {
            return r.getDescription();
        }
        final var first = incompat.get(0);
        return first.getType() + " at " + first.getLocation() + ": " + first.getMessage();
    }
}
