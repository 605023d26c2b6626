package dev.slaprof.bench;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Freshness at a fixed offered load: the time from the newest sample behind a recommendation to the moment the
 * recommendation is readable (read_committed) on the recommendations topic, over every update seen.
 */
public final class FreshnessBench {
    private final Properties client;
    private final Topics topics;
    private final BenchSamples samples;

    public FreshnessBench(final Properties client, final Topics topics, final BenchSamples samples) {
        this.client = client;
        this.topics = topics;
        this.samples = samples;
    }

    /** p50, p99 (ms) of newest-sample-to-visible-recommendation, and the number of updates seen. */
    public double[] run(final SlaTarget sla, final int rate, final int freshnessSeconds, final PrintStream out)
        throws Exception {
        final Properties props = StreamsSettings.defaults(client, topics, "bench-fresh-" + UUID.randomUUID(),
            Files.createTempDirectory("bench-fresh"));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
        final Deployment d = new Deployment("bench/fresh", Backend.VLLM, "", "H200-SXM", "fresh-" + UUID.randomUUID());
        final List<Double> lags = new ArrayList<>();
        try (KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(props, topics, sla, Duration.ofMillis(250)),
                 props);
             KafkaConsumer<RecommendationKey, Recommendation> c = new KafkaConsumer<>(consumerProps(client),
                 topics.recommendations().keySerde().deserializer(), topics.recommendations().valueSerde()
                     .deserializer());
             KafkaProducer<Deployment, LatencySample> producer = new KafkaProducer<>(client,
                 topics.samples().keySerde().serializer(), topics.samples().valueSerde().serializer())) {
            streams.start();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            c.subscribe(List.of(topics.recommendations().name()));
            c.poll(Duration.ofMillis(500));
            final Random r = new Random(2);
            final long t0 = System.nanoTime();
            final long total = (long) rate * freshnessSeconds;
            long sent = 0;
            while (sent < total) {
                final long due = (long) ((System.nanoTime() - t0) / 1e9 * rate);
                while (sent < Math.min(due, total)) {
                    final LatencySample s = samples.sample(r, d, (int) sent);
                    s.setEventTimeUs(System.currentTimeMillis() * 1000);
                    producer.send(new ProducerRecord<>(topics.samples().name(), d, s));
                    sent++;
                }
                collect(c, d, lags);
            }
            final long drain = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < drain) {
                collect(c, d, lags);
            }
        }
        final double[] v = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final double p50 = v.length == 0 ? Double.NaN : v[(int) Math.floor(0.5 * (v.length - 1))];
        final double p99 = v.length == 0 ? Double.NaN : v[(int) Math.floor(0.99 * (v.length - 1))];
        out.printf(Locale.ROOT, "bench: freshness at %,d samples/s: p50 %.0f ms, p99 %.0f ms over %d updates%n", rate,
            p50, p99, v.length);
        return new double[] {p50, p99, v.length};
    }

    private static void collect(final KafkaConsumer<RecommendationKey, Recommendation> c, final Deployment d,
                                final List<Double> lags) {
        final long now = System.currentTimeMillis() * 1000;
        for (final var r : c.poll(Duration.ofMillis(5))) {
            if (r.value() != null && r.key().getDeployment().equals(d) && r.value().getNewestSampleUs() > 0) {
                lags.add((now - r.value().getNewestSampleUs()) / 1000.0);
            }
        }
    }

    private static Properties consumerProps(final Properties client) {
        final Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }
}
