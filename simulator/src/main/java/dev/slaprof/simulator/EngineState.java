package dev.slaprof.simulator;

/** What an engine's {@code /metrics} reports: its model and its live queue and KV state. */
public interface EngineState {
    PerfModel model();

    /** Requests running (decoding or prefilling) across ranks. */
    int running();

    /** Requests waiting for KV blocks across ranks. */
    int waiting();

    /** KV usage fraction across ranks, 0..1. */
    double kvUsage();
}
