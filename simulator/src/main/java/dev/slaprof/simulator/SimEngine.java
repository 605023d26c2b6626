package dev.slaprof.simulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A continuously batching engine in scaled real time: per attention-DP rank, one thread admits requests while KV
 * blocks are free (else they queue, so TTFT includes queueing), prefills one at a time (prefill first, as vLLM's
 * scheduler does), and runs decode steps whose duration comes from {@link PerfModel}, all in-flight requests
 * sharing each step. Model time runs {@code timeScale} times faster than the wall clock.
 */
public final class SimEngine implements AutoCloseable {
    /** Largest batch per rank (vLLM's max_num_seqs). */
    public static final int MAX_NUM_SEQS = 1024;
    /** Uncached prompt tokens one prefill step takes at most (Dynamo's PREFILL_MAX_NUM_TOKENS). */
    public static final int MAX_BATCHED_TOKENS = 32_768;
    private static final int PREFIX_CACHE_ENTRIES = 65_536;

    private final PerfModel model;
    private final double timeScale;
    private final boolean prefixCaching;
    private final double jitterSigma;
    private final Rank[] ranks;
    private final AtomicInteger nextRank = new AtomicInteger();
    private final EngineMetrics metrics;
    private volatile boolean running = true;

    /**
     * @param timeScale     model milliseconds per wall millisecond (1 = real time)
     * @param prefixCaching decode engines cache prompts (Dynamo enables it for decode, disables it for prefill)
     * @param jitterSigma   sigma of the lognormal jitter on every prefill and step (0 = none)
     * @param seed          seed of the jitter
     */
    public SimEngine(final PerfModel model, final double timeScale, final boolean prefixCaching,
                     final double jitterSigma, final long seed) {
        if (timeScale <= 0) {
            throw new IllegalArgumentException("timeScale must be > 0, got " + timeScale);
        }
        this.model = model;
        this.timeScale = timeScale;
        this.prefixCaching = prefixCaching;
        this.jitterSigma = jitterSigma;
        this.metrics = new EngineMetrics();
        this.ranks = new Rank[model.ranks()];
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = new Rank(i, new Random(seed + i));
            final Thread t = new Thread(ranks[i], "sim-engine-rank-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    public PerfModel model() {
        return model;
    }

    public double timeScale() {
        return timeScale;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    /** Queues a request on the next rank (round robin, as the DP scheduler does). */
    public void submit(final SimRequest r) {
        if (!running) {
            r.fail("engine stopped");
            return;
        }
        if (r.isl + r.osl > model.kvTokensPerRank()) {
            r.fail("request of " + (r.isl + r.osl) + " tokens exceeds the KV capacity of "
                + model.kvTokensPerRank() + " tokens");
            return;
        }
        ranks[Math.floorMod(nextRank.getAndIncrement(), ranks.length)].enqueue(r);
    }

    /** Requests running (decoding or prefilling) across ranks. */
    public int running() {
        int n = 0;
        for (final Rank r : ranks) {
            n += r.runningCount;
        }
        return n;
    }

    /** Requests waiting for KV blocks across ranks. */
    public int waiting() {
        int n = 0;
        for (final Rank r : ranks) {
            n += r.waitingCount;
        }
        return n;
    }

    /** KV usage fraction across ranks, 0..1. */
    public double kvUsage() {
        long used = 0;
        for (final Rank r : ranks) {
            used += r.kvReserved;
        }
        return (double) used / Math.max(1, model.kvTokens());
    }

    @Override
    public void close() {
        running = false;
        for (final Rank r : ranks) {
            r.wake();
        }
    }

    private final class Rank implements Runnable {
        private final int index;
        private final Random random;
        private final Deque<SimRequest> waiting = new ArrayDeque<>();
        private final Deque<SimRequest> toPrefill = new ArrayDeque<>();
        private final List<SimRequest> decoding = new ArrayList<>();
        private final LinkedHashSet<Long> prefixCache = new LinkedHashSet<>();
        private volatile int runningCount;
        private volatile int waitingCount;
        private volatile long kvReserved;
        private long deadlineNs;

        Rank(final int index, final Random random) {
            this.index = index;
            this.random = random;
        }

        synchronized void enqueue(final SimRequest r) {
            waiting.add(r);
            waitingCount = waiting.size();
            notifyAll();
        }

        synchronized void wake() {
            notifyAll();
        }

        @Override
        public void run() {
            while (running) {
                admit();
                if (!toPrefill.isEmpty()) {
                    prefillBatch();
                } else if (!decoding.isEmpty()) {
                    decodeStep();
                } else {
                    idle();
                }
            }
            failAll();
        }

        private synchronized void admit() {
            final long capacity = model.kvTokensPerRank();
            while (!waiting.isEmpty() && toPrefill.size() + decoding.size() < MAX_NUM_SEQS) {
                final SimRequest next = waiting.peek();
                final long need = next.isl + next.osl;
                if (kvReserved + need > capacity) {
                    break;
                }
                waiting.poll();
                kvReserved += need;
                toPrefill.add(next);
            }
            waitingCount = waiting.size();
            runningCount = toPrefill.size() + decoding.size();
        }

        private synchronized void idle() {
            if (waiting.isEmpty() && running) {
                try {
                    wait(50);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }

        /**
         * Prefills the waiting requests together, up to {@link #MAX_BATCHED_TOKENS} uncached tokens (always at least
         * one request): one step whose model time starts when the first of them reached the HTTP front, so the
         * server's own parsing counts as part of the modelled overhead, not on top of it.
         */
        private void prefillBatch() {
            final List<SimRequest> batch = new ArrayList<>();
            final List<Integer> tokens = new ArrayList<>();
            int budget = MAX_BATCHED_TOKENS;
            long earliest = Long.MAX_VALUE;
            while (!toPrefill.isEmpty()) {
                final SimRequest r = toPrefill.peek();
                final boolean cached = prefixCaching && prefixCache.contains(r.promptHash);
                final int uncached = cached ? 1 : r.isl;
                if (!batch.isEmpty() && uncached > budget) {
                    break;
                }
                toPrefill.poll();
                batch.add(r);
                tokens.add(uncached);
                budget -= uncached;
                earliest = Math.min(earliest, r.arrivalNs);
            }
            final int[] isls = new int[tokens.size()];
            for (int i = 0; i < isls.length; i++) {
                isls[i] = tokens.get(i);
            }
            advance(model.prefillBatchMs(isls), earliest);
            final long now = System.nanoTime();
            for (final SimRequest r : batch) {
                if (prefixCaching) {
                    remember(r.promptHash);
                }
                r.produce(1, now, deadlineNs);
                metrics.recordTtft(modelMs(now - r.arrivalNs), index);
                if (r.done()) {
                    release(r);
                } else {
                    decoding.add(r);
                }
            }
        }

        private void decodeStep() {
            long kv = 0;
            for (final SimRequest r : decoding) {
                kv += r.isl + r.produced();
            }
            final double stepMs = model.decodeStepMs(decoding.size(), kv);
            // Consecutive steps follow the previous deadline even when this thread woke late (a loaded machine):
            // the engine catches up, so a request's average ITL stays the model's.
            advance(stepMs, Long.MIN_VALUE);
            final long now = System.nanoTime();
            for (final Iterator<SimRequest> it = decoding.iterator(); it.hasNext();) {
                final SimRequest r = it.next();
                r.produce(1, now, deadlineNs);
                metrics.recordItl(stepMs);
                if (r.done()) {
                    it.remove();
                    release(r);
                }
            }
        }

        private void release(final SimRequest r) {
            synchronized (this) {
                kvReserved -= r.isl + r.osl;
                runningCount = toPrefill.size() + decoding.size();
            }
            metrics.recordFinished(r.produced(), r.isl);
            if (r.produced() >= 2) {
                metrics.recordScheduledItl((r.lastScheduledNs - r.firstScheduledNs) / 1e6 * timeScale
                    / (r.produced() - 1));
            }
        }

        private void remember(final long hash) {
            prefixCache.remove(hash);
            prefixCache.add(hash);
            if (prefixCache.size() > PREFIX_CACHE_ENTRIES) {
                prefixCache.remove(prefixCache.iterator().next());
            }
        }

        /**
         * Sleeps {@code ms} of model time (jittered) from the later of the previous deadline and {@code startNs},
         * against an absolute deadline, so steps do not drift.
         */
        private void advance(final double ms, final long startNs) {
            final double jittered = jitterSigma > 0 ? ms * Math.exp(jitterSigma * random.nextGaussian()
                - jitterSigma * jitterSigma / 2) : ms;
            deadlineNs = Math.max(deadlineNs, startNs) + (long) (jittered / timeScale * 1_000_000);
            long left;
            while ((left = deadlineNs - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        }

        private double modelMs(final long wallNs) {
            return wallNs / 1e6 * timeScale;
        }

        private synchronized void failAll() {
            for (final SimRequest r : waiting) {
                r.fail("engine stopped");
            }
            for (final SimRequest r : toPrefill) {
                r.fail("engine stopped");
            }
            for (final SimRequest r : decoding) {
                r.fail("engine stopped");
            }
        }
    }
}
