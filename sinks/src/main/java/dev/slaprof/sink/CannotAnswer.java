package dev.slaprof.sink;

/**
 * A table that cannot answer a query (incomplete, or no pick yet), with the reason. The REST API answers it with
 * 409 wherever it arises; the plots skip the figure it would have drawn.
 */
public final class CannotAnswer extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public CannotAnswer(final String reason) {
        super(reason);
    }
}
