package dev.slaprof.simulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * The scheduler of one attention-DP rank, with no clock of its own: every time is model milliseconds, and the
 * driver (a thread sleeping to a wall-clock deadline in {@link SimEngine}, an event queue in {@link VirtualEngine})
 * decides when a planned step ends. Requests are admitted while KV blocks are free (else they queue, so TTFT
 * includes queueing); waiting prompts are prefilled together up to {@link #MAX_BATCHED_TOKENS} uncached tokens,
 * before any decode step (prefill first, as vLLM's scheduler does); a decode step advances every running request by
 * one token, its duration from {@link PerfModel#decodeStepMs}. Decode engines cache prompts (a cached prompt
 * prefills one token). Jitter is lognormal with mean 1, drawn from a seeded generator per step.
 */
final class RankScheduler {
    /** Largest batch per rank (vLLM's max_num_seqs). */
    static final int MAX_NUM_SEQS = 1024;
    /** Uncached prompt tokens one prefill step takes at most (Dynamo's PREFILL_MAX_NUM_TOKENS). */
    static final int MAX_BATCHED_TOKENS = 32_768;
    private static final int PREFIX_CACHE_ENTRIES = 65_536;

    /** A planned step: the requests it advances, its (jittered) duration and its end, model ms. */
    record Step(boolean prefill, List<SimRequest> batch, double durationMs, double endMs) {
    }

    private final int index;
    private final PerfModel model;
    private final boolean prefixCaching;
    private final double jitterSigma;
    private final EngineMetrics metrics;
    private Random random;
    private final Deque<SimRequest> waiting = new ArrayDeque<>();
    private final Deque<SimRequest> toPrefill = new ArrayDeque<>();
    private final List<SimRequest> decoding = new ArrayList<>();
    private final LinkedHashSet<Long> prefixCache = new LinkedHashSet<>();
    private volatile int runningCount;
    private volatile int waitingCount;
    private volatile long kvReserved;
    /** End of the last planned step, model ms: the next step starts no earlier. */
    private double deadlineMs = Double.NEGATIVE_INFINITY;

    RankScheduler(final int index, final PerfModel model, final boolean prefixCaching, final double jitterSigma,
                  final long seed, final EngineMetrics metrics) {
        this.index = index;
        this.model = model;
        this.prefixCaching = prefixCaching;
        this.jitterSigma = jitterSigma;
        this.random = new Random(seed);
        this.metrics = metrics;
    }

    /** Draws the jitter of the following steps from a new seed (a new profiling round). */
    void reseed(final long seed) {
        this.random = new Random(seed);
    }

    synchronized void enqueue(final SimRequest r) {
        waiting.add(r);
        waitingCount = waiting.size();
    }

    synchronized boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    int runningCount() {
        return runningCount;
    }

    int waitingCount() {
        return waitingCount;
    }

    long kvReserved() {
        return kvReserved;
    }

    /**
     * Admits what fits, then plans the next step: a prefill batch starting at the later of the previous step's end
     * and the batch's earliest arrival, else a decode step right after the previous one; null when idle.
     */
    Step next() {
        admit();
        final Step s;
        if (!toPrefill.isEmpty()) {
            s = prefillBatch();
        } else if (!decoding.isEmpty()) {
            s = decodeStep();
        } else {
            return null;
        }
        deadlineMs = s.endMs();
        return s;
    }

    /**
     * Completes a step planned by {@link #next()}: one token for each request of it at the step's end.
     *
     * @return the requests the step finished, in batch order
     */
    List<SimRequest> finish(final Step s) {
        final List<SimRequest> finished = new ArrayList<>();
        if (s.prefill()) {
            for (final SimRequest r : s.batch()) {
                if (prefixCaching) {
                    remember(r.promptHash);
                }
                r.produce(1, s.endMs());
                metrics.recordTtft(s.endMs() - r.arrivalMs, index);
                if (r.done()) {
                    release(r);
                    finished.add(r);
                } else {
                    decoding.add(r);
                }
            }
            return finished;
        }
        for (final Iterator<SimRequest> it = decoding.iterator(); it.hasNext();) {
            final SimRequest r = it.next();
            r.produce(1, s.endMs());
            metrics.recordItl(s.durationMs());
            if (r.done()) {
                it.remove();
                release(r);
                finished.add(r);
            }
        }
        return finished;
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

    private Step prefillBatch() {
        final List<SimRequest> batch = new ArrayList<>();
        final List<Integer> tokens = new ArrayList<>();
        int budget = MAX_BATCHED_TOKENS;
        double earliest = Double.POSITIVE_INFINITY;
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
            earliest = Math.min(earliest, r.arrivalMs);
        }
        final int[] isls = new int[tokens.size()];
        for (int i = 0; i < isls.length; i++) {
            isls[i] = tokens.get(i);
        }
        final double ms = jitter(model.prefillBatchMs(isls));
        return new Step(true, batch, ms, Math.max(deadlineMs, earliest) + ms);
    }

    private Step decodeStep() {
        long kv = 0;
        for (final SimRequest r : decoding) {
            kv += r.isl + r.produced();
        }
        final double ms = jitter(model.decodeStepMs(decoding.size(), kv));
        return new Step(false, decoding, ms, deadlineMs + ms);
    }

    private double jitter(final double ms) {
        return jitterSigma > 0
            ? ms * Math.exp(jitterSigma * random.nextGaussian() - jitterSigma * jitterSigma / 2) : ms;
    }

    private void release(final SimRequest r) {
        synchronized (this) {
            kvReserved -= r.isl + r.osl;
            runningCount = toPrefill.size() + decoding.size();
        }
        metrics.recordFinished(r.produced(), r.isl);
        if (r.produced() >= 2) {
            metrics.recordScheduledItl(r.scheduledItlMs());
        }
    }

    private void remember(final long hash) {
        prefixCache.remove(hash);
        prefixCache.add(hash);
        if (prefixCache.size() > PREFIX_CACHE_ENTRIES) {
            prefixCache.remove(prefixCache.iterator().next());
        }
    }

    /** Fails every request the rank holds (the engine stopped). */
    synchronized void failAll(final String why) {
        for (final SimRequest r : waiting) {
            r.fail(why);
        }
        for (final SimRequest r : toPrefill) {
            r.fail(why);
        }
        for (final SimRequest r : decoding) {
            r.fail(why);
        }
        waiting.clear();
        toPrefill.clear();
        decoding.clear();
    }
}
