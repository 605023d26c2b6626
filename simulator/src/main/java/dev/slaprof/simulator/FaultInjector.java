package dev.slaprof.simulator;

/**
 * Which fault a request of the simulated engine meets: the one its {@code X-Slaprof-Fault} header names (error,
 * abort, slow, stream-error, no-done), else one drawn at the {@link Faults}' rates from the request itself, so that the
 * same requests meet the same faults in every run.
 */
final class FaultInjector {
    /** Keeps the fault draw apart from the request's output-length draw. */
    private static final long SALT = 0x5DEECE66DL;

    private final Faults faults;

    FaultInjector(final Faults faults) {
        this.faults = faults;
    }

    /** The fault of {@code r}: the header's, else "error", "abort" or "" at the configured rates. */
    String faultFor(final String header, final CompletionRequest r) {
        if (header != null) {
            return header.trim();
        }
        if (faults.errorRate() <= 0 && faults.abortRate() <= 0) {
            return "";
        }
        final double u = r.draw(SALT);
        if (u < faults.errorRate()) {
            return "error";
        }
        if (u < faults.errorRate() + faults.abortRate()) {
            return "abort";
        }
        return "";
    }

    /** A start delay in ms for {@code fault}, or 0. */
    long startDelayMs(final String fault) {
        return faults.slowStartMs() > 0 ? faults.slowStartMs() : "slow".equals(fault) ? 200 : 0;
    }
}
