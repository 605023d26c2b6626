package dev.slaprof.schema;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 refuses to instantiate generated classes from packages it does not trust
 * ({@code SecurityException: Forbidden ...}). slaprof trusts its own package once, here.
 */
public final class AvroTrust {
    private static volatile boolean installed;

    private AvroTrust() {
    }

    /** Adds {@code dev.slaprof} to Avro's global class validator; idempotent and thread-safe. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        final ClassSecurityValidator.ClassSecurityPredicate ours =
            c -> c.getPackageName().startsWith("dev.slaprof");
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours));
        installed = true;
    }
}
