package dev.slaprof.bench;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.topology.StreamsSettings;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One timed ingest run of a Kafka Streams application over the whole samples topic: samples/s from RUNNING until
 * its committed offsets reach the end of the input, and CPU time per sample of its stream thread and of all its
 * threads. The baseline is a bare {@code groupByKey().aggregate()} counting the samples, with slaprof's settings.
 */
public final class ThroughputBench {
    /** Builds a fresh application under the given id. */
    public interface StreamsFactory {
        KafkaStreams create(String applicationId) throws Exception;
    }

    /** One timed run: samples/s, and CPU time per sample of the app's stream thread and of all its threads. */
    public record Run(double rate, double streamCpuUs, double appCpuUs) {
    }

    private final Properties client;
    private final Topics topics;

    public ThroughputBench(final Properties client, final Topics topics) {
        this.client = client;
        this.topics = topics;
    }

    /** The baseline application: exactly-once v2, one thread, the producer and commit settings of slaprof's. */
    public StreamsFactory baseline() {
        return appId -> {
            final Properties p = StreamsSettings.defaults(client, topics, appId,
                Files.createTempDirectory("bench-baseline"));
            p.putAll(client);
            final StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(p)));
            b.stream(topics.samples().name(), Consumed.with(topics.samples().keySerde(),
                    topics.samples().valueSerde()).withName("baseline-source"))
                .groupByKey(Grouped.with("baseline-group", topics.samples().keySerde(), topics.samples().valueSerde()))
                .aggregate(() -> 0L, (k, v, agg) -> agg + 1, Named.as("baseline-count"),
                    Materialized.<Deployment, Long, KeyValueStore<Bytes, byte[]>>as("baseline-store")
                        .withKeySerde(topics.samples().keySerde()).withValueSerde(Serdes.Long()))
                .toStream(Named.as("baseline-changes"))
                .to(BASELINE_TOPIC, Produced.with(topics.samples().keySerde(), Serdes.Long())
                    .withName("baseline-sink"));
            return new KafkaStreams(b.build(), p);
        };
    }

    /** The topic the baseline writes its counts to. */
    public static final String BASELINE_TOPIC = "bench-baseline-counts";

    /**
     * CPU time (ns) so far of the live threads whose names contain the application id: its stream thread only, or
     * every thread of the app (stream thread, producer I/O thread, clients' background threads).
     */
    private static long cpuNanos(final String appId, final boolean streamThreadOnly) {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && t.getThreadName().contains(appId) && (!streamThreadOnly
                || t.getThreadName().contains("StreamThread") && !t.getThreadName().contains("producer"))) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    /** Runs a fresh application of {@code factory} over the whole input, printing and returning its figures. */
    public Run run(final String name, final StreamsFactory factory, final PrintStream out) throws Exception {
        final String group = "bench-" + name + "-" + UUID.randomUUID();
        try (KafkaStreams streams = factory.create(group); Admin admin = Admin.create(client)) {
            final Map<TopicPartition, Long> end = endOffsets(admin, topics.samples().name());
            final long total = end.values().stream().mapToLong(Long::longValue).sum();
            streams.start();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                // Waiting for the first assignment; start-up is not part of the measured throughput.
                TimeUnit.MILLISECONDS.sleep(20);
            }
            final long t0 = System.nanoTime();
            final long stream0 = cpuNanos(group, true);
            final long app0 = cpuNanos(group, false);
            long done = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            while (done < total) {
                if (System.nanoTime() > deadlineNs) {
                    throw new IllegalStateException(name + " did not finish within 20 minutes (" + done + " of "
                        + total + ")");
                }
                TimeUnit.MILLISECONDS.sleep(100);
                done = committed(admin, group, end.keySet());
                if (streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(name + " topology failed");
                }
            }
            final double rate = total / ((System.nanoTime() - t0) / 1e9);
            final double streamCpu = (cpuNanos(group, true) - stream0) / 1e3 / total;
            final double appCpu = (cpuNanos(group, false) - app0) / 1e3 / total;
            out.printf(Locale.ROOT, "bench: %-8s %,12.0f samples/s (%,d samples); CPU per sample: stream thread %.2f us,"
                + " all app threads %.2f us%n", name, rate, total, streamCpu, appCpu);
            return new Run(rate, streamCpu, appCpu);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(final Admin admin, final String topic) throws Exception {
        final var parts = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        final Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        parts.forEach(p -> q.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        final Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(q).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static long committed(final Admin admin, final String group, final Set<TopicPartition> parts)
        throws Exception {
        final Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata().get();
        long sum = 0;
        for (final TopicPartition tp : parts) {
            final OffsetAndMetadata o = offsets.get(tp);
            // A committed offset under EOS points past the transaction marker: count records, not markers, below.
            sum += o == null ? 0 : o.offset();
        }
        return sum;
    }
}
