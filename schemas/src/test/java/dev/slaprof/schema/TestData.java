package dev.slaprof.schema;

import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;

final class TestData {
    static final Deployment QWEN = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0", "H200-SXM", "v1");

    private TestData() {
    }

    static LatencySample sample() {
        return LatencySamples.ok(QWEN, Role.DECODE, Mappings.tp(2),
            LatencySamples.source(SourceKind.SIMULATED, "worker-1", "run-7"), 8, 3000, 500,
            1_764_000_000_000_000L, 123.5, 12.25);
    }
}
