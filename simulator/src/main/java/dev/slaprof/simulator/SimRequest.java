package dev.slaprof.simulator;

/**
 * One request inside a simulated engine. The engine thread advances {@link #produced()} and completes it; the
 * HTTP thread waits on it and streams what was produced.
 */
public final class SimRequest {
    final int isl;
    final int osl;
    final long promptHash;
    final long arrivalNs;
    long firstTokenNs;
    long lastTokenNs;
    /** The engine's schedule (step deadlines) for the first and last token: the model's timing, not the wall's. */
    long firstScheduledNs;
    long lastScheduledNs;
    private int produced;
    private boolean done;
    private String error;

    /**
     * @param arrivalNs {@link System#nanoTime()} when the request reached the engine's front (before parsing)
     */
    public SimRequest(final int isl, final int osl, final long promptHash, final long arrivalNs) {
        this.isl = isl;
        this.osl = osl;
        this.promptHash = promptHash;
        this.arrivalNs = arrivalNs;
    }

    public int isl() {
        return isl;
    }

    public int osl() {
        return osl;
    }

    synchronized void produce(final int n, final long nowNs, final long scheduledNs) {
        if (produced == 0) {
            firstTokenNs = nowNs;
            firstScheduledNs = scheduledNs;
        }
        produced += n;
        lastTokenNs = nowNs;
        lastScheduledNs = scheduledNs;
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

    /**
     * Waits until more than {@code seen} tokens exist or the request is done, at most {@code maxWaitMs}.
     *
     * @return tokens produced now
     */
    public synchronized int awaitMore(final int seen, final long maxWaitMs) throws InterruptedException {
        final long deadline = System.nanoTime() + maxWaitMs * 1_000_000;
        while (produced <= seen && !done) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
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
