package dev.slaprof.bench;

import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
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
 * One sample into a bucket that already holds 10,000 samples, as the aggregation does it: record (Welford and
 * histogram), and the bucket's Avro encode/decode that the state store costs per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.slaprof")
public class StatsBench {
    private MappingLoadStats bucket;
    private LatencySample[] samples;
    private AvroSerde<MappingLoadStats> serde;
    private byte[] encoded;
    private int i;

    @Setup
    public void setup() {
        final Random r = new Random(1);
        samples = new LatencySample[1024];
        for (int k = 0; k < samples.length; k++) {
            samples[k] = Fixtures.sample(r, Role.DECODE, Mappings.tp(2), 32, 3000);
        }
        final var key = Keys.bucket(samples[0]);
        bucket = LatencyStats.empty(samples[0], key.getInFlight(), key.getIsl());
        for (int k = 0; k < 10_000; k++) {
            LatencyStats.add(bucket, Fixtures.sample(r, Role.DECODE, Mappings.tp(2), 32, 3000));
        }
        serde = AvroSerde.specific(MappingLoadStats.class, new InMemorySchemaRegistry(), false);
        encoded = serde.serialize("stats", bucket);
    }

    @Benchmark
    public MappingLoadStats record() {
        return LatencyStats.add(bucket, samples[i++ & 1023]);
    }

    @Benchmark
    public MappingLoadStats decodeRecordEncode() {
        final MappingLoadStats st = serde.deserialize("stats", encoded);
        LatencyStats.add(st, samples[i++ & 1023]);
        encoded = serde.serialize("stats", st);
        return st;
    }

    /** Size of the encoded bucket, for the state-per-bucket figure. */
    public int encodedBytes() {
        return encoded.length;
    }
}
