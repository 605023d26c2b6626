package dev.slaprof.simulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * The scheduler of one attention-DP rank, with no clock of its own: every time is model milliseconds, and the
 * driver (a thread sleeping to a wall-clock deadline in {@link SimEngine}, an event queue in {@link VirtualEngine})
 * decides when a planned step ends. It composes each step as its backend's scheduler does, by the same rules as the
 * accuracy replay's engine ({@code replay.ReplayEngine}), and times it with {@link PerfModel#stepMs}:
 * <ul>
 *   <li>{@code mixed} (vLLM V1, TRT-LLM in-flight batching): every running request decodes one token, and the rest
 *   of the step's token budget ({@code max_batched_tokens}) prefills waiting prompts in arrival order, chunked;</li>
 *   <li>{@code prefill_first} (SGLang): while prompts wait, a step prefills them alone (chunked to the budget), and
 *   decodes resume when none waits.</li>
 * </ul>
 * Requests are admitted while KV blocks are free (else they queue, so TTFT includes queueing) and at most
 * {@link #MAX_NUM_SEQS} run. Decode engines cache prompts (a cached prompt prefills one token). Jitter is lognormal
 * with mean 1, drawn from a seeded generator per step.
 */
final class RankScheduler {
    /** Largest batch per rank (vLLM's max_num_seqs). */
    static final int MAX_NUM_SEQS = 1024;
    private static final int PREFIX_CACHE_ENTRIES = 65_536;

    /**
     * A planned step: the requests it decodes one token for, the prompt chunks it prefills (request and tokens), its
     * (jittered) duration and its end, model ms.
     */
    record Step(List<SimRequest> decodes, List<SimRequest> chunks, int[] chunkTokens, double durationMs,
                double endMs) {
    }

    private final int index;
    private final PerfModel model;
    private final boolean prefixCaching;
    private final boolean prefillFirst;
    private final int budget;
    private final double jitterSigma;
    private final EngineMetrics metrics;
    private Random random;
    private final Deque<SimRequest> waiting = new ArrayDeque<>();
    /** Admitted prompts not fully prefilled, in arrival order; only the head may be partly prefilled. */
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
        this.prefillFirst = model.params().prefillFirst();
        this.budget = Math.max(1, model.params().maxBatchedTokens());
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
     * Admits what fits, then plans the next step by the backend's rule; null when idle. A step that only prefills
     * starts at the later of the previous step's end and its earliest arrival; a step that decodes follows the
     * previous one.
     */
    Step next() {
        admit();
        final boolean decodes = !decoding.isEmpty() && !(prefillFirst && !toPrefill.isEmpty());
        int room = decodes ? budget - decoding.size() : budget;
        final List<SimRequest> chunks = new ArrayList<>();
        final List<Integer> tokens = new ArrayList<>();
        long prefillTokens = 0;
        long cached = 0;
        double attention = 0;
        int ending = 0;
        double earliest = Double.POSITIVE_INFINITY;
        for (final SimRequest r : toPrefill) {
            if (room <= 0) {
                break;
            }
            if (r.promptLeft < 0) {
                // Its first chunk: a prompt the prefix cache holds prefills one token.
                r.promptLeft = prefixCaching && prefixCache.contains(r.promptHash) ? 1 : r.isl;
                r.promptTotal = r.promptLeft;
            }
            final int t = Math.min(r.promptLeft, room);
            final int done = r.promptTotal - r.promptLeft;
            chunks.add(r);
            tokens.add(t);
            prefillTokens += t;
            cached += done;
            attention += model.prefillAttentionFlops(t, done);
            if (t == r.promptLeft) {
                ending++;
            }
            earliest = Math.min(earliest, r.arrivalMs);
            room -= t;
        }
        if (!decodes && chunks.isEmpty()) {
            return null;
        }
        // The running list itself, not a copy: nothing changes it until finish() has walked it.
        final List<SimRequest> decodeBatch = decodes ? decoding : List.of();
        long context = 0;
        for (final SimRequest r : decodeBatch) {
            context += r.isl + r.produced();
        }
        final double ms = jitter(model.stepMs(decodeBatch.size(), context, prefillTokens, cached, attention, ending));
        final int[] chunkTokens = tokens.stream().mapToInt(Integer::intValue).toArray();
        final double start = decodes ? deadlineMs : Math.max(deadlineMs, earliest);
        final Step s = new Step(decodeBatch, chunks, chunkTokens, ms, start + ms);
        deadlineMs = s.endMs();
        return s;
    }

    /**
     * Completes a step planned by {@link #next()} at its end: one token for each request it decoded, and the first
     * token of each prompt whose last chunk it ran (that request decodes from the next step on).
     *
     * @return the requests the step finished: the decoded ones first, then the prefilled ones, each in batch order
     */
    List<SimRequest> finish(final Step s) {
        final List<SimRequest> finished = new ArrayList<>();
        for (final SimRequest r : s.decodes()) {
            r.produce(1, s.endMs());
            metrics.recordItl(s.durationMs());
            if (r.done()) {
                finished.add(r);
            }
        }
        if (!finished.isEmpty()) {
            decoding.removeIf(SimRequest::done);
            for (final SimRequest r : finished) {
                release(r);
            }
        }
        for (int i = 0; i < s.chunks().size(); i++) {
            final SimRequest r = s.chunks().get(i);
            r.promptLeft -= s.chunkTokens()[i];
            if (r.promptLeft > 0) {
                continue;
            }
            synchronized (this) {
                toPrefill.remove(r);
            }
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
