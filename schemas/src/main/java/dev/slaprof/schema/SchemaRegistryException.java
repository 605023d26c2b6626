package dev.slaprof.schema;

/** An error answered by a schema registry, with the Confluent error code (e.g. 409 incompatible, 40403 not found). */
public final class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Confluent error code: schema not found. */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Confluent error code: subject not found. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Confluent error code: version not found. */
    public static final int VERSION_NOT_FOUND = 40402;
    /** Confluent error code: incompatible schema. */
    public static final int INCOMPATIBLE = 409;
    /** Confluent error code: invalid schema. */
    public static final int INVALID_SCHEMA = 42201;
    /** Confluent error code: invalid compatibility level. */
    public static final int INVALID_COMPATIBILITY = 42203;

    private final int errorCode;

    public SchemaRegistryException(final int errorCode, final String message) {
        super(message + " (error_code " + errorCode + ")");
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }

    /** HTTP status that goes with the error code (the first three digits, as Confluent does). */
    public int httpStatus() {
        return errorCode >= 1000 ? Integer.parseInt(Integer.toString(errorCode).substring(0, 3)) : errorCode;
    }
}
