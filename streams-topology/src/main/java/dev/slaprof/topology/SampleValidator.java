package dev.slaprof.topology;

import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.StatusCode;
import dev.slaprof.schema.avro.Strategy;

/** Rules a sample must pass before it enters statistics; a failing sample is dead-lettered with the reason. */
public final class SampleValidator {
    /** Latencies above a day are absurd (ms). */
    public static final double MAX_LATENCY_MS = 86_400_000;
    /** Lengths above 10 M tokens are absurd. */
    public static final int MAX_TOKENS = 10_000_000;
    /** GPU counts above 4096 per engine are absurd. */
    public static final int MAX_GPUS = 4096;

    private SampleValidator() {
    }

    /** Null when valid, else the reason. */
    public static String reason(final LatencySample s) {
        if (s.getEventId() == null || s.getEventId().isBlank()) {
            return "missing event_id";
        }
        if (s.getMapping() == null) {
            return "missing mapping";
        }
        final var m = s.getMapping();
        if (m.getStrategy() == Strategy.UNKNOWN_STRATEGY) {
            return "unknown mapping strategy";
        }
        if (m.getGpus() < 1 || m.getGpus() > MAX_GPUS || m.getTp() < 1 || m.getEp() < 1 || m.getAttnDp() < 1) {
            return "invalid mapping " + m;
        }
        if (s.getRole() == Role.UNKNOWN_ROLE) {
            return "unknown role";
        }
        if (s.getDeployment().getBackend() == Backend.UNKNOWN_BACKEND) {
            return "unknown backend";
        }
        if (s.getDeployment().getModel().isBlank() || s.getDeployment().getGpuType().isBlank()) {
            return "missing model or GPU type";
        }
        final var load = s.getLoad();
        if (load.getIsl() < 1 || load.getIsl() > MAX_TOKENS || load.getInFlight() < 1 || load.getInFlight() > 1_000_000
            || load.getRequestedOsl() < 0 || load.getRequestedOsl() > MAX_TOKENS) {
            return "invalid load " + load;
        }
        if (s.getStatus().getCode() != StatusCode.OK) {
            return null;
        }
        final String t = latency("ttft_ms", s.getTtftMs(), true);
        if (t != null) {
            return t;
        }
        if (s.getOutputTokens() < 0 || s.getOutputTokens() > MAX_TOKENS || s.getInputTokens() < 0
            || s.getInputTokens() > MAX_TOKENS) {
            return "invalid token counts";
        }
        if (s.getItlMs() != null && s.getOutputTokens() < 2) {
            return "itl_ms given with output_tokens < 2";
        }
        return latency("itl_ms", s.getItlMs(), false);
    }

    /**
     * ITL may be 0: a stream whose tokens after the first all arrive in one network read (engines that buffer
     * output, speculative decoding) has no measurable gap; TTFT must be strictly positive.
     */
    private static String latency(final String name, final Double v, final boolean required) {
        if (v == null) {
            return required ? name + " missing on a successful sample" : null;
        }
        if (v.isNaN() || v.isInfinite()) {
            return name + " is not a finite number";
        }
        if (v < 0 || (v == 0 && required)) {
            return name + " must be " + (required ? "> 0" : ">= 0") + ", got " + v;
        }
        if (v > MAX_LATENCY_MS) {
            return name + " is absurd: " + v;
        }
        return null;
    }
}
