package dev.slaprof.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.embedded.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The system benchmarks of {@code slaprof bench}, on the embedded broker, in one run, with the same records and
 * settings (exactly-once, one stream thread): a bare {@code groupByKey().aggregate()} counting the samples, then
 * slaprof's full topology, their samples/s and ratio ({@link ThroughputBench}); freshness at a fixed offered load
 * ({@link FreshnessBench}); state bytes per bucket after 10 k and {@code stateSamples} samples ({@link
 * StateSizeBench}). The input is {@link BenchSamples}.
 *
 * @param samples          samples in the throughput runs
 * @param rounds           throughput rounds (baseline then slaprof each); the headline is the median of rounds 2-N
 * @param buckets          distinct buckets the samples fall in
 * @param rate             the freshness run's offered load, samples/s
 * @param freshnessSeconds the freshness run's length
 * @param stateSamples     samples of the state-size figure
 */
public record SystemBench(int samples, int rounds, int buckets, int rate, int freshnessSeconds, int stateSamples) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs the three measurements and returns their figures (printed as they come to {@code out}). */
    public ObjectNode run(final PrintStream out) throws Exception {
        final BenchSamples input = new BenchSamples(buckets);
        final ObjectNode results = JSON.createObjectNode();
        results.put("machine_cores", Runtime.getRuntime().availableProcessors());
        results.put("samples", samples);
        final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        final Topics topics = Topics.create(registry);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            final Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
                admin.createTopics(List.of(new NewTopic(ThroughputBench.BASELINE_TOPIC, 1, (short) -1))).all().get();
            }
            final Deployment d = BenchSamples.deployment();
            out.printf(Locale.ROOT, "bench: producing %,d samples over %d buckets...%n", samples, buckets);
            final double produceRate = input.produce(client, topics, d, samples);
            results.put("produce_samples_per_s", Math.round(produceRate));
            out.printf(Locale.ROOT, "bench: produced at %,.0f samples/s%n", produceRate);

            final SlaTarget sla = SlaTargets.of("default", 200.0, 30.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
            // Rounds alternate the two apps over the same input, each a fresh application (new group, empty state).
            // The first round also warms the JIT for both; the headline is the median over the later rounds.
            final ThroughputBench throughput = new ThroughputBench(client, topics);
            final var perRound = results.putArray("rounds");
            final List<double[]> warm = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                out.printf(Locale.ROOT, "bench: round %d of %d%n", round, rounds);
                final ThroughputBench.Run b = throughput.run("baseline", throughput.baseline(), out);
                final ThroughputBench.Run f = throughput.run("slaprof", appId -> {
                    final Properties full = StreamsSettings.defaults(client, topics, appId,
                        Files.createTempDirectory("bench"));
                    return new KafkaStreams(SlaprofTopology.build(full, topics, sla, Duration.ofMillis(250)), full);
                }, out);
                final double baseline = b.rate();
                final double slaprof = f.rate();
                out.printf(Locale.ROOT, "bench: round %d ratio %.3f (stream-thread CPU per sample: %.3f)%n", round,
                    slaprof / baseline, b.streamCpuUs() / f.streamCpuUs());
                perRound.addObject().put("baseline_samples_per_s", Math.round(baseline))
                    .put("slaprof_samples_per_s", Math.round(slaprof)).put("ratio", slaprof / baseline)
                    .put("baseline_stream_thread_cpu_us_per_sample", b.streamCpuUs())
                    .put("slaprof_stream_thread_cpu_us_per_sample", f.streamCpuUs())
                    .put("baseline_app_cpu_us_per_sample", b.appCpuUs())
                    .put("slaprof_app_cpu_us_per_sample", f.appCpuUs());
                if (round > 1 || rounds == 1) {
                    warm.add(new double[] {baseline, slaprof, slaprof / baseline, b.streamCpuUs(), f.streamCpuUs(),
                        b.streamCpuUs() / f.streamCpuUs()});
                }
            }
            results.put("headline", rounds == 1 ? "the only round"
                : "median over rounds 2-" + rounds + " (round 1 warms the JIT)");
            results.put("baseline_samples_per_s", Math.round(median(warm, 0)));
            results.put("slaprof_samples_per_s", Math.round(median(warm, 1)));
            results.put("ratio", median(warm, 2));
            results.put("baseline_stream_thread_cpu_us_per_sample", median(warm, 3));
            results.put("slaprof_stream_thread_cpu_us_per_sample", median(warm, 4));
            results.put("stream_thread_cpu_ratio", median(warm, 5));
            out.printf(Locale.ROOT, "bench: median of the warm rounds: baseline %,.0f, slaprof %,.0f samples/s, "
                + "ratio %.3f; stream-thread CPU per sample %.2f vs %.2f us (ratio %.3f)%n", median(warm, 0),
                median(warm, 1), median(warm, 2), median(warm, 3), median(warm, 4), median(warm, 5));

            final double[] fresh = new FreshnessBench(client, topics, input).run(sla, rate, freshnessSeconds, out);
            results.put("freshness_offered_per_s", rate);
            results.put("freshness_p50_ms", fresh[0]);
            results.put("freshness_p99_ms", fresh[1]);
            results.put("freshness_updates", fresh[2]);
        }
        final int[] state = StateSizeBench.bytesPerBucket(input, BenchSamples.deployment(), stateSamples);
        results.put("state_bytes_per_bucket_10k", state[0]);
        results.put("state_bytes_per_bucket_" + stateSamples, state[1]);
        return results;
    }

    /** Median of column {@code col} (mean of the middle two for an even count). */
    private static double median(final List<double[]> rows, final int col) {
        final double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The figures as a Markdown table. */
    public static void print(final PrintStream out, final ObjectNode r) {
        out.println();
        out.println("| figure | value |");
        out.println("|---|---|");
        r.fields().forEachRemaining(e -> out.println("| " + e.getKey() + " | " + e.getValue() + " |"));
    }
}
