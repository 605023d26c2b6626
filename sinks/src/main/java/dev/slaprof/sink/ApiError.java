package dev.slaprof.sink;

/** An answer of the REST API other than 200: its status and message (sent as {"error": message}). */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ApiError(final int status, final String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
