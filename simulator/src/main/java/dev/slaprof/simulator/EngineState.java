package dev.slaprof.simulator;

/** What an engine's {@code /metrics} reports: its model and its live queue and KV state, summed over its ranks. */
public abstract class EngineState {
    private final PerfModel model;
    final RankScheduler[] ranks;

    EngineState(final PerfModel model) {
        this.model = model;
        this.ranks = new RankScheduler[model.ranks()];
    }

    public PerfModel model() {
        return model;
    }

    /** Requests running (decoding or prefilling) across ranks. */
    public int running() {
        int n = 0;
        for (final RankScheduler r : ranks) {
            n += r.runningCount();
        }
        return n;
    }

    /** Requests waiting for KV blocks across ranks. */
    public int waiting() {
        int n = 0;
        for (final RankScheduler r : ranks) {
            n += r.waitingCount();
        }
        return n;
    }

    /** KV usage fraction across ranks, 0..1. */
    public double kvUsage() {
        long used = 0;
        for (final RankScheduler r : ranks) {
            used += r.kvReserved();
        }
        return (double) used / Math.max(1, model.kvTokens());
    }
}
