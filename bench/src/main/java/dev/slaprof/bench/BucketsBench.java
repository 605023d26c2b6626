package dev.slaprof.bench;

import dev.slaprof.domain.stats.DenseCounts;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One sample into one of 400 warm buckets picked at random, as the topology sees a mixed stream (the buckets and
 * latencies of {@code slaprof bench}: lognormal, sigma 0.05): unlike {@link StatsBench#record}, whose single bucket
 * stays in the L1 cache, this pays the cache misses of a working set of hundreds of buckets.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.slaprof")
public class BucketsBench {
    private static final int BUCKETS = 400;
    private MappingLoadStats[] buckets;
    private DenseCounts[][] dense;
    private LatencySample[] samples;
    private int[] target;
    private int i;

    @Setup
    public void setup() {
        final Random r = new Random(1);
        buckets = new MappingLoadStats[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) {
            final LatencySample first = sample(r, b);
            final var key = Keys.bucket(first);
            buckets[b] = LatencyStats.empty(first, key.getInFlight(), key.getIsl());
            for (int k = 0; k < 10_000; k++) {
                LatencyStats.add(buckets[b], sample(r, b));
            }
        }
        dense = new DenseCounts[BUCKETS][];
        for (int b = 0; b < BUCKETS; b++) {
            dense[b] = new DenseCounts[] {DenseCounts.of(LatencyStats.packed(buckets[b].getTtft())),
                DenseCounts.of(LatencyStats.packed(buckets[b].getItl()))};
        }
        samples = new LatencySample[1 << 16];
        target = new int[samples.length];
        for (int k = 0; k < samples.length; k++) {
            target[k] = r.nextInt(BUCKETS);
            samples[k] = sample(r, target[k]);
        }
    }

    private static LatencySample sample(final Random r, final int b) {
        final boolean prefill = b % 2 == 0;
        final double base = prefill ? 50 + b : 10 + b / 20.0;
        return LatencySamples.ok(Fixtures.DEPLOYMENT, prefill ? Role.PREFILL : Role.DECODE, Mappings.tp(1 << (b % 4)),
            LatencySamples.source(SourceKind.BENCHMARK, "bench", null), prefill ? 1 : 1 + b % 64, 100 + 37 * b,
            prefill ? 5 : 500, 1_764_000_000_000_000L, base * Math.exp(0.05 * r.nextGaussian()),
            (base / 5) * Math.exp(0.05 * r.nextGaussian()));
    }

    @Benchmark
    public MappingLoadStats recordIntoRandomBucket() {
        final int k = i++ & (samples.length - 1);
        return LatencyStats.add(buckets[target[k]], samples[k]);
    }

    /** The same with the histograms counted in memory, as the topology does between commits. */
    @Benchmark
    public MappingLoadStats recordIntoRandomBucketDense() {
        final int k = i++ & (samples.length - 1);
        final DenseCounts[] d = dense[target[k]];
        return LatencyStats.add(buckets[target[k]], samples[k], d[0], d[1]);
    }
}
