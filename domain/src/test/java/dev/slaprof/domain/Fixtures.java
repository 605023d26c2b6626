package dev.slaprof.domain;

import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;

/** Samples and SLA profiles for the domain tests and the topology tests (shared through the test jar). */
public final class Fixtures {
    public static final Deployment DEPLOYMENT = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0", "H200-SXM", "t1");
    public static final long T0_US = 1_764_000_000_000_000L;

    private Fixtures() {
    }

    public static SlaTarget sla(final double ttft, final double itl, final Statistic stat) {
        return SlaTargets.of("default", ttft, itl, 3000, 500, stat, 1, 8, 1, false);
    }

    public static LatencySample prefill(final Mapping m, final int isl, final double ttftMs) {
        return LatencySamples.ok(DEPLOYMENT, Role.PREFILL, m, LatencySamples.source(SourceKind.BENCHMARK, "w", null),
            1, isl, 5, T0_US, ttftMs, 2.0);
    }

    public static LatencySample decode(final Mapping m, final int inFlight, final double itlMs) {
        return LatencySamples.ok(DEPLOYMENT, Role.DECODE, m, LatencySamples.source(SourceKind.BENCHMARK, "w", null),
            inFlight, 3000, 500, T0_US, 30.0, itlMs);
    }
}
