package dev.slaprof.bench;

import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
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

/** Confluent-wire Avro encode and decode of one LatencySample. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.slaprof")
public class SerdeBench {
    private AvroSerde<LatencySample> serde;
    private LatencySample sample;
    private byte[] bytes;

    @Setup
    public void setup() {
        serde = AvroSerde.specific(LatencySample.class, new InMemorySchemaRegistry(), false);
        sample = Fixtures.sample(new Random(1), Role.DECODE, Mappings.tp(2), 32, 3000);
        bytes = serde.serialize("latency-samples", sample);
    }

    @Benchmark
    public byte[] encode() {
        return serde.serialize("latency-samples", sample);
    }

    @Benchmark
    public LatencySample decode() {
        return serde.deserialize("latency-samples", bytes);
    }
}
