package dev.slaprof.bench;

import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Benchmark inputs shaped like Dynamo's full profile. */
final class Fixtures {
    static final Deployment DEPLOYMENT = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0", "H200-SXM", "bench");

    private Fixtures() {
    }

    static LatencySample sample(final Random r, final Role role, final Mapping m, final int inFlight, final int isl) {
        return LatencySamples.ok(DEPLOYMENT, role, m, LatencySamples.source(SourceKind.BENCHMARK, "bench", null),
            inFlight, isl, role == Role.PREFILL ? 5 : 500, 1_764_000_000_000_000L, 20 + r.nextDouble() * 300,
            10 + r.nextDouble() * 40);
    }

    /**
     * Statistics of 8 mappings (TP, TEP, DEP over 1..8 GPUs) with 17 prefill ISL points each, and 36 decode points
     * (6 ISLs x 6 in-flight levels) each, {@code perBucket} samples per bucket.
     */
    static List<MappingLoadStats> fullProfile(final int perBucket) {
        final Random r = new Random(1);
        final List<Mapping> mappings = List.of(Mappings.tp(1), Mappings.tp(2), Mappings.tp(4), Mappings.tp(8),
            Mappings.tep(4), Mappings.tep(8), Mappings.dep(4), Mappings.dep(8));
        final List<MappingLoadStats> out = new ArrayList<>();
        for (final Mapping m : mappings) {
            for (int k = 0; k <= 16; k++) {
                out.add(bucket(r, Role.PREFILL, m, 1, k == 1 ? 3000 : 100 + 2521 * k, perBucket));
            }
            for (final int isl : new int[] {100, 3000, 6843, 13586, 20329, 27072}) {
                for (final int n : new int[] {1, 8, 24, 48, 96, 128}) {
                    out.add(bucket(r, Role.DECODE, m, n, isl, perBucket));
                }
            }
        }
        return out;
    }

    private static MappingLoadStats bucket(final Random r, final Role role, final Mapping m, final int n,
                                           final int isl, final int samples) {
        final LatencySample first = sample(r, role, m, n, isl);
        final var key = Keys.bucket(first);
        final MappingLoadStats st = LatencyStats.empty(first, key.getInFlight(), key.getIsl());
        for (int i = 0; i < samples; i++) {
            LatencyStats.add(st, sample(r, role, m, n, isl));
        }
        return st;
    }
}
