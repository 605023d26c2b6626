package dev.slaprof.simulator.replay;

import dev.slaprof.simulator.PerfModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A closed loop of {@code c} clients against an aggregated engine or a disaggregated xPyD deployment, in model time,
 * measured as AIPerf and {@code bench_serving} measure it: every client sends a request, waits for its last token,
 * and sends the next at once; TTFT is from sending to the first token, TPOT is (last token - first token) /
 * (OSL - 1) per request, and both are means over every request of {@code waves x c} (the first wave's burst
 * included, as the benchmarks include it). A client's TTFT also holds the frontend's time outside the engine
 * ({@code request_overhead_ms}).
 *
 * <p>With a range ratio r below 1 each request's ISL and OSL are drawn uniformly from [r x ISL, ISL] and
 * [r x OSL, OSL] (InferenceX's {@code random-range-ratio}), from a seeded generator, so a replay is deterministic.
 */
public final class ClosedLoopReplay {
    /** Events at most per replay; a replay that needs more stops there and says so. */
    static final long MAX_STEPS = 3_000_000;

    /**
     * The load.
     *
     * @param clients    concurrent requests (the benchmark's concurrency)
     * @param isl        input length, tokens
     * @param osl        output length, tokens
     * @param rangeRatio lower bound of the lengths as a share of them (1 = fixed lengths)
     * @param waves      requests per client to complete
     * @param seed       seed of the length draws
     */
    public record Load(int clients, int isl, int osl, double rangeRatio, int waves, long seed) {
        public Load {
            if (clients < 1 || isl < 1 || osl < 1 || waves < 1 || rangeRatio <= 0 || rangeRatio > 1) {
                throw new IllegalArgumentException("bad load: " + clients + " clients, ISL " + isl + ", OSL " + osl
                    + ", range ratio " + rangeRatio + ", " + waves + " waves");
            }
        }
    }

    /**
     * What the replay measured.
     *
     * @param ttftMs    mean TTFT, ms
     * @param tpotMs    mean TPOT, ms (requests of OSL 1 excluded)
     * @param requests  requests averaged
     * @param kvLimited true when a prompt had to wait for KV room (past the queueing knee)
     * @param truncated true when the replay hit {@link #MAX_STEPS} before {@code waves x c} requests
     */
    public record Result(double ttftMs, double tpotMs, int requests, boolean kvLimited, boolean truncated) {
    }

    private final Load load;
    private final SplittableRandom random;
    private final List<ReplayEngine> front;
    private final List<ReplayEngine> back;
    private final double transferMsPerToken;
    private final double requestOverheadMs;
    private final PriorityQueue<double[]> events = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
    private final List<ReplayRequest> inTransfer = new ArrayList<>();
    private final Deque<ReplayRequest> awaitingDecode = new ArrayDeque<>();
    private double ttftSum;
    private double tpotSum;
    private int tpotCount;
    private int completed;
    private int sent;

    private ClosedLoopReplay(final Load load, final List<ReplayEngine> front, final List<ReplayEngine> back,
                             final double transferMsPerToken) {
        this.load = load;
        this.random = new SplittableRandom(load.seed());
        this.front = front;
        this.back = back;
        this.transferMsPerToken = transferMsPerToken;
        this.requestOverheadMs = front.get(0).params().requestOverheadMs();
    }

    /**
     * An aggregated engine: {@code replicas} copies of {@code rank} (its attention-DP ranks and the engine's
     * replicas), the clients spread over them round-robin.
     */
    public static Result aggregated(final PerfModel rank, final int replicas, final int maxRunning, final Load load) {
        final List<ReplayEngine> engines = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            engines.add(new ReplayEngine(rank, true, true, maxRunning));
        }
        return new ClosedLoopReplay(load, engines, List.of(), 0).run();
    }

    /**
     * A disaggregated deployment: prompts prefill on {@code prefillRanks} ranks of {@code prefill}, their KV moves at
     * {@code transferGbps} GB/s to the least-loaded of {@code decodeRanks} ranks of {@code decode}, which generates
     * the rest. TTFT ends when the KV has arrived (the decode rank streams from there).
     */
    public static Result disaggregated(final PerfModel prefill, final int prefillRanks, final PerfModel decode,
                                       final int decodeRanks, final int maxRunning, final double transferGbps,
                                       final Load load) {
        final List<ReplayEngine> p = new ArrayList<>();
        for (int i = 0; i < prefillRanks; i++) {
            p.add(new ReplayEngine(prefill, true, false, maxRunning));
        }
        final List<ReplayEngine> d = new ArrayList<>();
        for (int i = 0; i < decodeRanks; i++) {
            d.add(new ReplayEngine(decode, false, true, maxRunning));
        }
        return new ClosedLoopReplay(load, p, d, decode.model().kvBytes() / (transferGbps * 1e9) * 1000).run();
    }

    private int draw(final int n) {
        final int low = (int) Math.max(1, Math.ceil(n * load.rangeRatio()));
        return low >= n ? n : low + random.nextInt(n - low + 1);
    }

    private void send(final int client, final double nowMs) {
        final ReplayRequest r = new ReplayRequest(client, draw(load.isl()), draw(load.osl()), nowMs);
        least(front).submit(r);
        sent++;
    }

    private static ReplayEngine least(final List<ReplayEngine> engines) {
        ReplayEngine best = engines.get(0);
        for (final ReplayEngine e : engines) {
            if (e.load() < best.load()) {
                best = e;
            }
        }
        return best;
    }

    private void plan(final List<ReplayEngine> engines, final double nowMs) {
        for (int i = 0; i < engines.size(); i++) {
            final ReplayEngine e = engines.get(i);
            if (!e.busy() && e.plan(nowMs)) {
                events.add(new double[] {e.stepEndMs(), engines == front ? i : front.size() + i, 0});
            }
        }
    }

    private Result run() {
        final int target = load.clients() * load.waves();
        for (int c = 0; c < load.clients(); c++) {
            send(c, 0);
        }
        plan(front, 0);
        long steps = 0;
        boolean truncated = false;
        while (completed < target) {
            final double[] ev = events.poll();
            if (ev == null) {
                throw new IllegalStateException("the replay stalled: " + (target - completed) + " requests left and "
                    + "nothing scheduled (a request larger than an engine's KV cache?)");
            }
            if (++steps > MAX_STEPS) {
                truncated = true;
                break;
            }
            final double now = ev[0];
            if (ev[2] == 1) {
                arrive(inTransfer.get((int) ev[1]), now);
                plan(back, now);
                plan(front, now);
                continue;
            }
            final int index = (int) ev[1];
            final boolean isFront = index < front.size();
            final ReplayEngine engine = isFront ? front.get(index) : back.get(index - front.size());
            final ReplayEngine.Outcome o = engine.complete();
            for (final ReplayRequest r : o.firstTokens()) {
                if (!back.isEmpty()) {
                    inTransfer.add(r);
                    events.add(new double[] {now + r.isl * transferMsPerToken, inTransfer.size() - 1, 1});
                }
            }
            for (final ReplayRequest r : o.finished()) {
                if (!back.isEmpty() && isFront) {
                    continue;
                }
                finish(r, now);
            }
            if (!isFront) {
                // Finished decodes freed room: requests waiting for a decode rank may start.
                while (!awaitingDecode.isEmpty() && least(back).admitPrefilled(awaitingDecode.peekFirst())) {
                    awaitingDecode.pollFirst();
                }
                plan(back, now);
            }
            plan(front, now);
        }
        boolean kvLimited = false;
        for (final ReplayEngine e : front) {
            kvLimited |= e.kvLimited();
        }
        for (final ReplayEngine e : back) {
            kvLimited |= e.kvLimited();
        }
        return new Result(completed == 0 ? Double.NaN : ttftSum / completed,
            tpotCount == 0 ? Double.NaN : tpotSum / tpotCount, completed, kvLimited, truncated);
    }

    /** A prefilled request's KV arrived: its first token is out, and a decode rank takes it when one has room. */
    private void arrive(final ReplayRequest r, final double nowMs) {
        r.firstTokenMs = nowMs;
        if (r.osl <= 1) {
            finish(r, nowMs);
            return;
        }
        if (!awaitingDecode.isEmpty() || !least(back).admitPrefilled(r)) {
            awaitingDecode.add(r);
        }
    }

    /** A request ended: it is counted, and its client sends the next while the replay still needs requests. */
    private void finish(final ReplayRequest r, final double endMs) {
        record(r, endMs);
        if (sent < load.clients() * load.waves()) {
            send(r.client, endMs);
        }
    }

    private void record(final ReplayRequest r, final double endMs) {
        completed++;
        // The frontend's share of a client's TTFT (HTTP, tokenisation) happens outside the engines' steps.
        ttftSum += r.firstTokenMs - r.arrivalMs + requestOverheadMs;
        if (r.osl > 1) {
            tpotSum += (endMs - r.firstTokenMs) / (r.osl - 1);
            tpotCount++;
        }
    }
}
