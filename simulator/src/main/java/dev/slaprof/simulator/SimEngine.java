package dev.slaprof.simulator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A continuously batching engine in scaled real time, for the HTTP fleet: per attention-DP rank, one thread runs
 * the {@link RankScheduler} and sleeps to each step's deadline. Model time runs {@code timeScale} times faster than
 * the wall clock; a request's model-time arrival is when it reached the HTTP front. Each request keeps the engine's
 * own schedule ({@link SimRequest#scheduledTtftMs()}), against which a client's measurement over HTTP is judged.
 */
public final class SimEngine extends EngineState implements AutoCloseable {
    /** Largest batch per rank (vLLM's max_num_seqs). */
    public static final int MAX_NUM_SEQS = RankScheduler.MAX_NUM_SEQS;

    private final double timeScale;
    private final long epochNs = System.nanoTime();
    private final AtomicInteger nextRank = new AtomicInteger();
    private final EngineMetrics metrics = new EngineMetrics();
    private volatile boolean running = true;

    /**
     * @param timeScale     model milliseconds per wall millisecond (1 = real time)
     * @param prefixCaching decode engines cache prompts (Dynamo enables it for decode, disables it for prefill)
     * @param jitterSigma   sigma of the lognormal jitter on every prefill and step (0 = none)
     * @param seed          seed of the jitter
     */
    public SimEngine(final PerfModel model, final double timeScale, final boolean prefixCaching,
                     final double jitterSigma, final long seed) {
        super(model);
        if (timeScale <= 0) {
            throw new IllegalArgumentException("timeScale must be > 0, got " + timeScale);
        }
        this.timeScale = timeScale;
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = new RankScheduler(i, model, prefixCaching, jitterSigma, seed + i, metrics);
            final RankScheduler rank = ranks[i];
            final Thread t = new Thread(() -> drive(rank), "sim-engine-rank-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    public double timeScale() {
        return timeScale;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    /** Model ms on this engine's clock at {@link System#nanoTime()} {@code ns}. */
    public double modelMs(final long ns) {
        return (ns - epochNs) / 1e6 * timeScale;
    }

    private long wallNs(final double ms) {
        return epochNs + (long) (ms / timeScale * 1e6);
    }

    /** Queues a request on the next rank (round robin, as the DP scheduler does). */
    public void submit(final SimRequest r) {
        if (!running) {
            r.fail("engine stopped");
            return;
        }
        if (r.isl + r.osl > model().kvTokensPerRank()) {
            r.fail("request of " + (r.isl + r.osl) + " tokens exceeds the KV capacity of "
                + model().kvTokensPerRank() + " tokens");
            return;
        }
        final RankScheduler rank = ranks[Math.floorMod(nextRank.getAndIncrement(), ranks.length)];
        rank.enqueue(r);
        synchronized (rank) {
            rank.notifyAll();
        }
    }


    @Override
    public void close() {
        running = false;
        for (final RankScheduler r : ranks) {
            synchronized (r) {
                r.notifyAll();
            }
        }
    }

    /**
     * One rank's thread: plans a step, sleeps to its deadline (consecutive steps follow the previous deadline even
     * when the thread woke late on a loaded machine, so the engine catches up and a request's average ITL stays the
     * model's), completes it.
     */
    private void drive(final RankScheduler rank) {
        while (running) {
            final RankScheduler.Step step = rank.next();
            if (step == null) {
                idle(rank);
                continue;
            }
            final long deadlineNs = wallNs(step.endMs());
            long leftNs;
            while ((leftNs = deadlineNs - System.nanoTime()) > 0 && running) {
                LockSupport.parkNanos(leftNs);
            }
            rank.finish(step);
        }
        rank.failAll("engine stopped");
    }

    private void idle(final RankScheduler rank) {
        synchronized (rank) {
            if (!rank.hasWaiting() && running) {
                try {
                    rank.wait(50);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }
}
