package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.embedded.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;
import dev.slaprof.sink.PlannerClient;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsRunner;
import dev.slaprof.topology.StreamsSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An in-process broker is stopped and started again on the same data directory while samples flow: the producer
 * and the exactly-once topology recover by themselves, and every sample is counted exactly once. The broker is this
 * test's own (a restart of the shared one left other tests' transactional clients in doubt).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BrokerRestartIT {
    private static final int SAMPLES = 3000;

    @Test
    void shouldLoseAndDuplicateNothingAcrossABrokerRestart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            run(kafka);
        }
    }

    private static void run(final EmbeddedKafka kafka) throws Exception {
        final Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        final TestBrokerView broker = new TestBrokerView(kafka, client);
        final Topics topics = Topics.create(new InMemorySchemaRegistry());
        try (Admin admin = Admin.create(broker.clientProps())) {
            TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
        }
        final Deployment d = new Deployment("restart/model", Backend.VLLM, "", "H200-SXM", "restart-" + UUID.randomUUID());
        // The broker and its topics are this test's own: the application reads the input from the start. (From
        // "latest", a restart that came before the first commit re-positioned the revived task at the end of the
        // input, and the samples sent before it were never counted: a CI run waited 2 min for them.)
        final Properties props = StreamsSettings.defaults(broker.clientProps(), topics, "restart-" + UUID.randomUUID(),
            Files.createTempDirectory("restart-state"));
        final SlaTarget sla = SlaTargets.of("default", 500.0, 50.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        // The production runner: a stream thread that dies shuts the client down and its cause is kept.
        try (StreamsRunner runner = StreamsRunner.start(SlaprofTopology.build(props, topics, sla,
                 Duration.ofMillis(250)), props);
             SamplePublisher publisher = new SamplePublisher(broker.clientProps(), topics);
             PlannerClient planner = new PlannerClient(broker.clientProps(), topics)) {
            final KafkaStreams streams = runner.streams();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING
                && !streams.metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
            final long t0 = System.nanoTime();
            for (int i = 0; i < SAMPLES; i++) {
                if (i == SAMPLES / 2) {
                    publisher.flush();
                    broker.embedded().stop();
                    System.out.printf("broker stopped after %d samples%n", i);
                    broker.embedded().restart();
                    System.out.printf("broker back after %.1f s%n", (System.nanoTime() - t0) / 1e9);
                }
                publisher.publish(LatencySamples.ok(d, Role.PREFILL, Mappings.tp(1 + i % 2),
                    LatencySamples.source(SourceKind.BENCHMARK, "restart-it", null), 1, 3000, 5,
                    1_764_000_000_000_000L, 100.0 + i % 7, 2.0));
            }
            publisher.flush();
            assertThat(publisher.failed()).isZero();
            final RecommendationKey key = new RecommendationKey(d, "default");
            // A stopped topology or reader fails at once with its cause; a timeout says where the count stood.
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .conditionEvaluationListener(c -> {
                    if (c.getRemainingTimeInMS() <= 250) {
                        System.out.printf("still waiting: %s%n", diagnosis(streams, planner, key));
                    }
                })
                .until(() -> {
                    runner.checkHealthy();
                    planner.failure().ifPresent(e -> {
                        throw new AssertionError("the recommendations reader stopped", e);
                    });
                    return planner.latest(key).map(Recommendation::getSamplesTotal).orElse(0L) >= SAMPLES;
                });
            // A late duplicate would push the count past the total: the count must hold for 2 s.
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> planner.latest(key).orElseThrow().getSamplesTotal() == SAMPLES);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            System.out.printf("all %d samples counted once, %.1f s after the first was sent%n", SAMPLES,
                (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Where the pipeline stood: the topology's state and tasks and the count the reader last saw. */
    private static String diagnosis(final KafkaStreams streams, final PlannerClient planner,
                                    final RecommendationKey key) {
        return "streams " + streams.state() + ", active tasks " + streams.metadataForLocalThreads().stream()
            .map(t -> t.threadName() + " " + t.threadState() + " " + t.activeTasks().size()).toList()
            + ", samples counted " + planner.latest(key).map(Recommendation::getSamplesTotal).orElse(0L) + " of "
            + SAMPLES + ", undecodable " + planner.undecodable();
    }

    /** The two things the test needs of its broker. */
    private record TestBrokerView(EmbeddedKafka embedded, Properties clientProps) {
    }
}
