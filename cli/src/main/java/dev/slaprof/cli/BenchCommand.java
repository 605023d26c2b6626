package dev.slaprof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.kafka.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;
import dev.slaprof.topology.stats.Keys;
import dev.slaprof.topology.stats.LatencyStats;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slaprof bench}: on the embedded broker, in one run, with the same records and settings (exactly-once, one
 * stream thread): a bare {@code groupByKey().aggregate()} counting the samples, then slaprof's full topology, their
 * samples/s and ratio; freshness at a fixed offered load; state bytes per bucket after 10 k and 10 M samples.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Measure ingest against a bare Kafka Streams baseline, freshness and state size.")
final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--samples", defaultValue = "1000000", description = "Samples in the throughput runs.")
    private int samples;
    @Option(names = "--rounds", defaultValue = "5",
        description = "Throughput rounds (baseline then slaprof each); the headline is the median of rounds 2-N.")
    private int rounds;
    @Option(names = "--buckets", defaultValue = "400", description = "Distinct buckets the samples fall in.")
    private int buckets;
    @Option(names = "--freshness-rate", defaultValue = "20000", description = "Offered load, samples/s.")
    private int rate;
    @Option(names = "--freshness-seconds", defaultValue = "15", description = "Length of the freshness run.")
    private int freshnessSeconds;
    @Option(names = "--state-samples", defaultValue = "10000000", description = "Samples for the state-size figure.")
    private int stateSamples;
    @Option(names = "--json", defaultValue = "bench-results.json", description = "Machine-readable results.")
    private Path json;
    @Option(names = "--verbose", description = "Print stack traces on errors.")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        final ObjectNode results = JSON.createObjectNode();
        results.put("machine_cores", Runtime.getRuntime().availableProcessors());
        results.put("samples", samples);
        final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        final Topics topics = Topics.create(registry);
        this.topics = topics;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            final Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
                admin.createTopics(List.of(new NewTopic("bench-baseline-counts", 1,
                    (short) -1))).all().get();
            }
            final Deployment d = new Deployment("bench/model", Backend.VLLM, "", "H200-SXM", "bench");
            out.printf(Locale.ROOT, "bench: producing %,d samples over %d buckets...%n", samples, buckets);
            final double produceRate = produce(client, topics, d, samples);
            results.put("produce_samples_per_s", Math.round(produceRate));
            out.printf(Locale.ROOT, "bench: produced at %,.0f samples/s%n", produceRate);

            final SlaTarget sla = SlaTargets.of("default", 200.0, 30.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
            // Rounds alternate the two apps over the same input, each a fresh application (new group, empty state).
            // The first round also warms the JIT for both; the headline is the median over the later rounds.
            final var rounds = results.putArray("rounds");
            final List<double[]> warm = new ArrayList<>();
            for (int round = 1; round <= this.rounds; round++) {
                out.printf(Locale.ROOT, "bench: round %d of %d%n", round, this.rounds);
                final Run b = throughput(client, "baseline", baselineTopology(topics), out);
                final Run f = throughput(client, "slaprof", appId -> {
                    final Properties full = StreamsSettings.defaults(client, topics, appId,
                        Files.createTempDirectory("bench"));
                    return new KafkaStreams(SlaprofTopology.build(full, topics, sla, Duration.ofMillis(250)), full);
                }, out);
                final double baseline = b.rate();
                final double slaprof = f.rate();
                out.printf(Locale.ROOT, "bench: round %d ratio %.3f (stream-thread CPU per sample: %.3f)%n", round,
                    slaprof / baseline, b.streamCpuUs() / f.streamCpuUs());
                rounds.addObject().put("baseline_samples_per_s", Math.round(baseline))
                    .put("slaprof_samples_per_s", Math.round(slaprof)).put("ratio", slaprof / baseline)
                    .put("baseline_stream_thread_cpu_us_per_sample", b.streamCpuUs())
                    .put("slaprof_stream_thread_cpu_us_per_sample", f.streamCpuUs())
                    .put("baseline_app_cpu_us_per_sample", b.appCpuUs())
                    .put("slaprof_app_cpu_us_per_sample", f.appCpuUs());
                if (round > 1 || this.rounds == 1) {
                    warm.add(new double[] {baseline, slaprof, slaprof / baseline, b.streamCpuUs(), f.streamCpuUs(),
                        b.streamCpuUs() / f.streamCpuUs()});
                }
            }
            results.put("headline", this.rounds == 1 ? "the only round"
                : "median over rounds 2-" + this.rounds + " (round 1 warms the JIT)");
            results.put("baseline_samples_per_s", Math.round(median(warm, 0)));
            results.put("slaprof_samples_per_s", Math.round(median(warm, 1)));
            results.put("ratio", median(warm, 2));
            results.put("baseline_stream_thread_cpu_us_per_sample", median(warm, 3));
            results.put("slaprof_stream_thread_cpu_us_per_sample", median(warm, 4));
            results.put("stream_thread_cpu_ratio", median(warm, 5));
            out.printf(Locale.ROOT, "bench: median of the warm rounds: baseline %,.0f, slaprof %,.0f samples/s, "
                + "ratio %.3f; stream-thread CPU per sample %.2f vs %.2f us (ratio %.3f)%n", median(warm, 0),
                median(warm, 1), median(warm, 2), median(warm, 3), median(warm, 4), median(warm, 5));

            final double[] fresh = freshness(client, topics, sla, out);
            results.put("freshness_offered_per_s", rate);
            results.put("freshness_p50_ms", fresh[0]);
            results.put("freshness_p99_ms", fresh[1]);
            results.put("freshness_updates", fresh[2]);
        }
        final int[] state = stateBytes(d(), stateSamples);
        results.put("state_bytes_per_bucket_10k", state[0]);
        results.put("state_bytes_per_bucket_" + stateSamples, state[1]);
        print(out, results);
        Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        out.println("bench: results written to " + json.toAbsolutePath());
        return 0;
    }

    /** Median of column {@code col} (mean of the middle two for an even count). */
    private static double median(final List<double[]> rows, final int col) {
        final double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Deployment d() {
        return new Deployment("bench/model", Backend.VLLM, "", "H200-SXM", "bench");
    }

    /** Samples spread over buckets: 8 mappings, prefill ISLs and decode load points, lognormal latencies. */
    private LatencySample sample(final Random r, final Deployment d, final int i) {
        final int b = i % buckets;
        final Mapping m = Mappings.tp(1 << (b % 4));
        final boolean prefill = b % 2 == 0;
        final double base = prefill ? 50 + b : 10 + b / 20.0;
        return LatencySamples.ok(d, prefill ? Role.PREFILL : Role.DECODE, m,
            LatencySamples.source(SourceKind.BENCHMARK, "bench", null), prefill ? 1 : 1 + b % 64, 100 + 37 * b,
            prefill ? 5 : 500, System.currentTimeMillis() * 1000, base * Math.exp(0.05 * r.nextGaussian()),
            (base / 5) * Math.exp(0.05 * r.nextGaussian()));
    }

    private double produce(final Properties client, final Topics topics, final Deployment d, final int n)
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

    private interface StreamsFactory {
        KafkaStreams create(String applicationId) throws Exception;
    }

    private StreamsFactory baselineTopology(final Topics topics) {
        return appId -> {
            // The same Streams settings as slaprof's (exactly-once v2, one thread, producer and commit settings).
            final Properties p = StreamsSettings.defaults(bootstrap, topics, appId,
                Files.createTempDirectory("bench-baseline"));
            final StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(withBootstrap(p))));
            b.stream(topics.samples().name(), Consumed.with(topics.samples().keySerde(),
                    topics.samples().valueSerde()).withName("baseline-source"))
                .groupByKey(Grouped.with("baseline-group", topics.samples().keySerde(), topics.samples().valueSerde()))
                .aggregate(() -> 0L, (k, v, agg) -> agg + 1, Named.as("baseline-count"),
                    Materialized.<Deployment, Long, KeyValueStore<
                        Bytes, byte[]>>as("baseline-store")
                        .withKeySerde(topics.samples().keySerde()).withValueSerde(Serdes.Long()))
                .toStream(Named.as("baseline-changes"))
                .to("bench-baseline-counts", Produced.with(topics.samples().keySerde(), Serdes.Long())
                    .withName("baseline-sink"));
            return new KafkaStreams(b.build(), withBootstrap(p));
        };
    }

    private Properties bootstrap;

    private Properties withBootstrap(final Properties p) {
        p.putAll(bootstrap);
        return p;
    }

    /** Samples/s from RUNNING until the app's committed offsets reach the end of the input topic. */
    /** One timed run: samples/s, and CPU time per sample of the app's stream thread and of all its threads. */
    private record Run(double rate, double streamCpuUs, double appCpuUs) {
    }

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

    /** The bench's topics (its own embedded broker's, under the plain names). */
    private Topics topics;

    private Run throughput(final Properties client, final String name, final StreamsFactory factory,
                           final PrintStream out) throws Exception {
        bootstrap = client;
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

    /** p50, p99 (ms) of newest-sample-to-visible-recommendation, and the number of updates seen. */
    private double[] freshness(final Properties client, final Topics topics, final SlaTarget sla,
                               final PrintStream out) throws Exception {
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
                    final LatencySample s = sample(r, d, (int) sent);
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

    /** Encoded bytes of one bucket's state (as the store holds it) after 10 k and after {@code n} samples. */
    private int[] stateBytes(final Deployment d, final int n) {
        final AvroSerde<MappingLoadStats> serde = AvroSerde.specific(MappingLoadStats.class,
            new InMemorySchemaRegistry(), false);
        final Random r = new Random(3);
        final LatencySample first = sample(r, d, 0);
        final var key = Keys.bucket(first);
        final MappingLoadStats st = LatencyStats.empty(first, key.getInFlight(), key.getIsl());
        int at10k = 0;
        for (int i = 1; i <= n; i++) {
            LatencyStats.add(st, sample(r, d, 0));
            if (i == 10_000) {
                at10k = serde.serialize("s", st).length;
            }
        }
        return new int[] {at10k, serde.serialize("s", st).length};
    }

    private static void print(final PrintStream out, final ObjectNode r) {
        out.println();
        out.println("| figure | value |");
        out.println("|---|---|");
        r.fields().forEachRemaining(e -> out.println("| " + e.getKey() + " | " + e.getValue() + " |"));
    }
}
