package dev.slaprof.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A simulated engine in virtual time: the same {@link RankScheduler} as {@link SimEngine}, driven by a
 * discrete-event loop instead of sleeping threads. No wall clock is read anywhere: a step ends exactly when the
 * performance model (and the seeded jitter) says, so a client's measurement is the model's own number. Not
 * thread-safe: one burst at a time.
 */
public final class VirtualEngine extends EngineState {
    /** One request of a burst: prompt and output tokens, and the prompt's identity for the prefix cache. */
    public record RequestSpec(int isl, int osl, long promptHash) {
    }

    private record Event(double endMs, long seq, int rank, RankScheduler.Step step) {
    }

    private final boolean[] busy;
    private final EngineMetrics metrics = new EngineMetrics();
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.endMs != b.endMs
        ? Double.compare(a.endMs, b.endMs) : Long.compare(a.seq, b.seq));
    private long seq;
    private int nextRank;
    private double nowMs;

    /**
     * @param prefixCaching decode engines cache prompts (Dynamo enables it for decode, disables it for prefill)
     * @param jitterSigma   sigma of the lognormal jitter on every prefill and step (0 = none)
     * @param seed          seed of the jitter (rank i draws from {@code seed + i})
     */
    public VirtualEngine(final PerfModel model, final boolean prefixCaching, final double jitterSigma,
                         final long seed) {
        super(model);
        this.busy = new boolean[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = new RankScheduler(i, model, prefixCaching, jitterSigma, seed + i, metrics);
        }
    }

    /** Draws the following steps' jitter from {@code seed} (rank i from {@code seed + i}): a new profiling round. */
    public void reseed(final long seed) {
        for (int i = 0; i < ranks.length; i++) {
            ranks[i].reseed(seed + i);
        }
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    /** The engine's clock, model ms: the end of its last event. */
    public double nowMs() {
        return nowMs;
    }

    /**
     * Runs a closed-loop burst from the engine's clock: the first {@code concurrency} requests arrive together, and
     * each completion sends the next one at the same instant, until all of {@code requests} are done. Requests
     * arriving at one instant are all queued before any rank plans its next step. Requests go to the ranks round
     * robin, as the DP scheduler does.
     *
     * @return the requests in completion order (a failed one, e.g. larger than a rank's KV capacity, completes at
     *     its arrival with its error set)
     */
    public List<SimRequest> burst(final List<RequestSpec> requests, final int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        final List<SimRequest> done = new ArrayList<>(requests.size());
        int sent = 0;
        while (sent < requests.size() && sent - done.size() < concurrency) {
            submit(requests.get(sent++), done);
        }
        planIdle();
        while (!events.isEmpty()) {
            // Every step ending at this instant completes before any rank plans again.
            nowMs = events.peek().endMs;
            while (!events.isEmpty() && events.peek().endMs == nowMs) {
                final Event e = events.poll();
                busy[e.rank] = false;
                done.addAll(ranks[e.rank].finish(e.step));
            }
            while (sent < requests.size() && sent - done.size() < concurrency) {
                submit(requests.get(sent++), done);
            }
            planIdle();
        }
        return done;
    }

    private void submit(final RequestSpec spec, final List<SimRequest> done) {
        final SimRequest r = new SimRequest(spec.isl(), spec.osl(), spec.promptHash(), nowMs);
        if (spec.isl() + spec.osl() > model().kvTokensPerRank()) {
            r.fail("request of " + (spec.isl() + spec.osl()) + " tokens exceeds the KV capacity of "
                + model().kvTokensPerRank() + " tokens");
            done.add(r);
            return;
        }
        ranks[Math.floorMod(nextRank++, ranks.length)].enqueue(r);
    }

    private void planIdle() {
        for (int i = 0; i < ranks.length; i++) {
            if (busy[i]) {
                continue;
            }
            final RankScheduler.Step step = ranks[i].next();
            if (step != null) {
                busy[i] = true;
                events.add(new Event(step.endMs(), seq++, i, step));
            }
        }
    }

}
