package dev.slaprof.simulator;

/**
 * One request inside a simulated engine. Its times are model milliseconds on the engine's clock: the arrival, and
 * the engine's schedule of the first and the last token (the step deadlines the performance model set). The engine
 * advances {@link #produced()} and completes it; an HTTP thread may wait on it and stream what was produced.
 */
public final class SimRequest {
    final int isl;
    final int osl;
    final long promptHash;
    final double arrivalMs;
    /** Prompt tokens its prefill still has to run; -1 until its first chunk is planned (the scheduler's thread). */
    int promptLeft = -1;
    /** Prompt tokens its prefill runs in all: the prompt, or 1 when the prefix cache held it. */
    int promptTotal;
    private double firstTokenMs = Double.NaN;
    private double lastTokenMs = Double.NaN;
    private int produced;
    private boolean done;
    private String error;

    /**
     * @param isl        prompt tokens
     * @param osl        output tokens to produce
     * @param promptHash identity of the prompt for the prefix cache
     * @param arrivalMs  model ms on the engine's clock when the request reached the engine's front
     */
    public SimRequest(final int isl, final int osl, final long promptHash, final double arrivalMs) {
        this.isl = isl;
        this.osl = osl;
        this.promptHash = promptHash;
        this.arrivalMs = arrivalMs;
    }

    public int isl() {
        return isl;
    }

    public int osl() {
        return osl;
    }

    public double arrivalMs() {
        return arrivalMs;
    }

    synchronized void produce(final int n, final double atMs) {
        if (produced == 0) {
            firstTokenMs = atMs;
        }
        produced += n;
        lastTokenMs = atMs;
        if (produced >= osl) {
            done = true;
        }
        if (produced == n || done) {
            notifyAll();
        }
    }

    synchronized void fail(final String message) {
        error = message;
        done = true;
        notifyAll();
    }

    /** Tokens produced so far. */
    public synchronized int produced() {
        return produced;
    }

    /** True when finished or failed. */
    public synchronized boolean done() {
        return done;
    }

    /** Error message, or null. */
    public synchronized String error() {
        return error;
    }

    /** The engine's schedule of the first token, model ms on its clock; NaN before it. */
    public synchronized double firstTokenMs() {
        return firstTokenMs;
    }

    /** The engine's schedule of the latest token, model ms on its clock; NaN before the first. */
    public synchronized double lastTokenMs() {
        return lastTokenMs;
    }

    /** TTFT by the engine's own schedule (queueing and prefill), model ms; NaN before the first token. */
    public synchronized double scheduledTtftMs() {
        return firstTokenMs - arrivalMs;
    }

    /** ITL by the engine's schedule: (last - first) / (produced - 1), model ms; NaN with fewer than 2 tokens. */
    public synchronized double scheduledItlMs() {
        return produced >= 2 ? (lastTokenMs - firstTokenMs) / (produced - 1) : Double.NaN;
    }

    /**
     * Waits until more than {@code seen} tokens exist or the request is done, at most {@code maxWaitMs} of wall time.
     *
     * @return tokens produced now
     */
    public synchronized int awaitMore(final int seen, final long maxWaitMs) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + maxWaitMs * 1_000_000;
        while (produced <= seen && !done) {
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                break;
            }
            wait(Math.max(1, leftNs / 1_000_000));
        }
        return produced;
    }

    /** Waits for the first token, unbounded except by interruption. */
    public synchronized void awaitFirst() throws InterruptedException {
        while (produced == 0 && !done) {
            wait();
        }
    }
}
