package dev.slaprof.simulator.replay;

import dev.slaprof.simulator.PerfModel;
import dev.slaprof.simulator.PerfParams;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One attention-DP rank of an engine in a replay, stepping in model time. It composes each step as its backend's
 * scheduler does, and times it with {@link PerfModel#stepMs}:
 * <ul>
 *   <li>{@code mixed} (vLLM V1, TRT-LLM in-flight batching): every running request decodes one token, and the rest
 *   of the step's token budget prefills waiting prompts in arrival order, chunked;</li>
 *   <li>{@code prefill_first} (SGLang): while prompts wait, a step prefills them alone (chunked to the budget), and
 *   decodes resume when none waits.</li>
 * </ul>
 * A prompt is admitted while the KV cache holds its ISL + OSL (a reservation, so no preemption); otherwise it waits.
 * Decoding requests are kept by the decode step at which they finish, so a step costs O(log n), not O(n).
 */
final class ReplayEngine {
    /** What a step finished: first tokens and completed requests. */
    record Outcome(List<ReplayRequest> firstTokens, List<ReplayRequest> finished) {
    }

    private final PerfModel model;
    private final boolean prefillFirst;
    private final boolean decodes;
    private final boolean prefills;
    private final int budget;
    private final int maxRunning;
    private final long kvCapacity;
    private final Deque<ReplayRequest> waiting = new ArrayDeque<>();
    private final PriorityQueue<ReplayRequest> running =
        new PriorityQueue<>((a, b) -> Long.compare(a.decodeStart + a.osl, b.decodeStart + b.osl));
    private long decodeCounter;
    /** Sum over running requests of (isl - decodeStart): their context is this + n x decodeCounter. */
    private long contextBase;
    private long kvReserved;
    private boolean kvLimited;
    // The step in flight.
    private final List<ReplayRequest> chunkRequests = new ArrayList<>();
    private final List<Integer> chunkTokens = new ArrayList<>();
    private boolean stepDecodes;
    private double stepEndMs = Double.NaN;

    /**
     * @param model    the rank's performance model
     * @param prefills whether it prefills (aggregated or prefill engine)
     * @param decodes  whether it decodes (aggregated or decode engine); a prefill-only engine finishes a request at
     *                 its first token
     */
    ReplayEngine(final PerfModel model, final boolean prefills, final boolean decodes, final int maxRunning) {
        this.model = model;
        this.prefills = prefills;
        this.decodes = decodes;
        this.prefillFirst = model.params().prefillFirst();
        this.budget = Math.max(1, model.params().maxBatchedTokens());
        this.maxRunning = maxRunning;
        this.kvCapacity = model.kvTokensPerRank();
    }

    PerfParams params() {
        return model.params();
    }

    /** True when a prompt waited for KV room at some point (the run is past the queueing knee). */
    boolean kvLimited() {
        return kvLimited;
    }

    /** Requests here: waiting, prefilling or decoding. */
    int load() {
        return waiting.size() + running.size();
    }

    /** A request arrives: to prefill, or (decode-only engine) already prefilled elsewhere, to decode. */
    void submit(final ReplayRequest r) {
        waiting.add(r);
    }

    boolean busy() {
        return !Double.isNaN(stepEndMs);
    }

    double stepEndMs() {
        return stepEndMs;
    }

    /** Plans the next step at {@code nowMs}; returns false when there is nothing to do. */
    boolean plan(final double nowMs) {
        chunkRequests.clear();
        chunkTokens.clear();
        long chunkTokensTotal = 0;
        long cached = 0;
        double attention = 0;
        int ending = 0;
        int room = budget;
        final boolean prefillNow = prefills && !waiting.isEmpty();
        stepDecodes = decodes && !running.isEmpty() && !(prefillFirst && prefills && hasAdmissible());
        if (stepDecodes) {
            room -= running.size();
        }
        if (!decodes) {
            // A decode-free engine (prefill worker): nothing else competes for the budget.
            room = budget;
        }
        if (prefillNow) {
            for (final ReplayRequest r : waiting) {
                if (room <= 0) {
                    break;
                }
                if (r.promptLeft == r.isl) {
                    // Not admitted yet: needs KV room and a running slot.
                    if (decodes && (running.size() + chunkRequests.size() >= maxRunning
                        || kvReserved + r.isl + r.osl > kvCapacity)) {
                        kvLimited |= kvReserved + r.isl + r.osl > kvCapacity;
                        break;
                    }
                    kvReserved += r.isl + r.osl;
                }
                final int t = Math.min(r.promptLeft, room);
                chunkRequests.add(r);
                chunkTokens.add(t);
                chunkTokensTotal += t;
                cached += r.prefilled();
                attention += model.prefillAttentionFlops(t, r.prefilled());
                if (t == r.promptLeft) {
                    ending++;
                }
                room -= t;
            }
        }
        if (!stepDecodes && chunkRequests.isEmpty()) {
            stepEndMs = Double.NaN;
            return false;
        }
        final int batch = stepDecodes ? running.size() : 0;
        final long context = stepDecodes ? contextBase + (long) batch * (decodeCounter + 1) : 0;
        stepEndMs = nowMs + model.stepMs(batch, context, chunkTokensTotal, cached, attention, ending);
        return true;
    }

    private boolean hasAdmissible() {
        final ReplayRequest head = waiting.peekFirst();
        if (head == null) {
            return false;
        }
        return head.promptLeft < head.isl || (running.size() < maxRunning && kvReserved + head.isl + head.osl
            <= kvCapacity);
    }

    /** Completes the planned step at its end time. */
    Outcome complete() {
        final double end = stepEndMs;
        stepEndMs = Double.NaN;
        final List<ReplayRequest> first = new ArrayList<>();
        final List<ReplayRequest> done = new ArrayList<>();
        if (stepDecodes) {
            decodeCounter++;
            while (!running.isEmpty() && running.peek().decodeStart + running.peek().osl - 1 <= decodeCounter) {
                final ReplayRequest r = running.poll();
                contextBase -= r.isl - r.decodeStart;
                kvReserved -= r.isl + r.osl;
                done.add(r);
            }
        }
        for (int i = 0; i < chunkRequests.size(); i++) {
            final ReplayRequest r = chunkRequests.get(i);
            r.promptLeft -= chunkTokens.get(i);
            if (r.promptLeft == 0) {
                // Chunks are taken from the head in arrival order and only the last may be partial, so the prompts
                // that finish are the head of the queue: O(1), where remove(r) was a scan of every waiting prompt.
                if (waiting.pollFirst() != r) {
                    throw new IllegalStateException("a prompt finished out of arrival order");
                }
                r.firstTokenMs = end;
                first.add(r);
                if (decodes && r.osl > 1) {
                    startDecoding(r);
                } else {
                    if (decodes) {
                        kvReserved -= r.isl + r.osl;
                    }
                    done.add(r);
                }
            }
        }
        chunkRequests.clear();
        chunkTokens.clear();
        return new Outcome(first, done);
    }

    /** A request whose first token exists starts decoding here (after prefill here, or a KV transfer). */
    void startDecoding(final ReplayRequest r) {
        r.decodeStart = decodeCounter;
        contextBase += r.isl - r.decodeStart;
        running.add(r);
    }

    /** A decode-only engine takes a prefilled request if KV and slots allow; false when it must wait. */
    boolean admitPrefilled(final ReplayRequest r) {
        if (running.size() >= maxRunning || kvReserved + r.isl + r.osl > kvCapacity) {
            kvLimited |= kvReserved + r.isl + r.osl > kvCapacity;
            return false;
        }
        kvReserved += r.isl + r.osl;
        startDecoding(r);
        return true;
    }
}
