package dev.slaprof.bench;

import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The bench's input: samples spread over a number of buckets (8 mappings, prefill ISLs and decode load points,
 * lognormal latencies), and a producer that writes them as fast as the broker takes them.
 */
public final class BenchSamples {
    private final int buckets;

    public BenchSamples(final int buckets) {
        this.buckets = buckets;
    }

    /** The deployment the samples belong to. */
    public static Deployment deployment() {
        return new Deployment("bench/model", Backend.VLLM, "", "H200-SXM", "bench");
    }

    /** Sample {@code i}: its bucket is {@code i % buckets}. */
    public LatencySample sample(final Random r, final Deployment d, final int i) {
        final int b = i % buckets;
        final Mapping m = Mappings.tp(1 << (b % 4));
        final boolean prefill = b % 2 == 0;
        final double base = prefill ? 50 + b : 10 + b / 20.0;
        return LatencySamples.ok(d, prefill ? Role.PREFILL : Role.DECODE, m,
            LatencySamples.source(SourceKind.BENCHMARK, "bench", null), prefill ? 1 : 1 + b % 64, 100 + 37 * b,
            prefill ? 5 : 500, System.currentTimeMillis() * 1000, base * Math.exp(0.05 * r.nextGaussian()),
            (base / 5) * Math.exp(0.05 * r.nextGaussian()));
    }

    /** Writes {@code n} samples of {@code d} (keys spread over 3 deployments); returns samples/s. */
    public double produce(final Properties client, final Topics topics, final Deployment d, final int n)
        throws Exception {
        final Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        final Random r = new Random(1);
        final long t0 = System.nanoTime();
        try (KafkaProducer<Deployment, LatencySample> producer = new KafkaProducer<>(p,
            topics.samples().keySerde().serializer(), topics.samples().valueSerde().serializer())) {
            for (int i = 0; i < n; i++) {
                // Keys spread the samples over the 3 partitions as several deployments would.
                final Deployment key = new Deployment(d.getModel(), d.getBackend(), "", d.getGpuType(), "bench-" + (i % 3));
                final LatencySample s = sample(r, key, i);
                producer.send(new ProducerRecord<>(topics.samples().name(), key, s));
            }
            producer.flush();
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

}
