package dev.slaprof.simulator;

/**
 * Failure injection of a simulated engine, for the producers' error tests. A request header
 * {@code X-Slaprof-Fault: error|abort|slow|stream-error|no-done} forces one fault on one request.
 *
 * @param errorRate   probability of an HTTP 500 before any output
 * @param abortRate   probability of cutting the stream mid-way without {@code [DONE]}
 * @param slowStartMs extra wall-clock delay before the request reaches the engine
 */
public record Faults(double errorRate, double abortRate, long slowStartMs) {
    /** No faults. */
    public static final Faults NONE = new Faults(0, 0, 0);
}
