package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.slaprof.sink.PlannerClient;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with TLS and SASL/SCRAM as its only client listener: the slaprof command (through a
 * {@code --kafka-config} file), the producer, the exactly-once topology and the planner client all work over it; a
 * plaintext client and a client with a wrong password are refused.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecureBrokerIT {
    private static final String USER = "slaprof";
    private static final String PASSWORD = "slaprof-it-secret";

    @TempDir
    Path dir;

    private static Properties quick(final Properties p) {
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
        return p;
    }

    @Test
    void shouldServeAuthenticatedTlsClientsAndRefuseOthers() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startSecure(USER, PASSWORD)) {
            final Properties client = kafka.clientProps();
            assertThat(client.getProperty("security.protocol")).isEqualTo("SASL_SSL");

            // The command line: every client property from a --kafka-config file.
            final Path config = dir.resolve("kafka.properties");
            final Properties file = new Properties();
            file.putAll(client);
            file.remove("bootstrap.servers");
            try (OutputStream out = Files.newOutputStream(config)) {
                file.store(out, "SecureBrokerIT");
            }
            final CliRunner.Outcome topics = CliRunner.run("topics", "--bootstrap-servers", kafka.bootstrapServers(),
                "--kafka-config", config.toString());
            assertThat(topics.exitCode()).as(topics.output()).isZero();
            assertThat(topics.output()).contains("latency-samples");

            // Producer, exactly-once topology and planner client over SASL_SSL.
            final Topics t = Topics.create(new InMemorySchemaRegistry());
            final Deployment d = new Deployment("secure/model", Backend.VLLM, "", "H200-SXM", "secure");
            final SlaTarget sla = SlaTargets.of("default", 500.0, 50.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
            final Properties streamsProps = StreamsSettings.defaults(client, t, "secure-it",
                Files.createTempDirectory("secure-state"));
            try (KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(streamsProps, t, sla,
                     Duration.ofMillis(250)), streamsProps);
                 SamplePublisher publisher = new SamplePublisher(client, t);
                 PlannerClient planner = new PlannerClient(client, t)) {
                streams.start();
                for (int i = 0; i < 200; i++) {
                    publisher.publish(LatencySamples.ok(d, Role.PREFILL, Mappings.tp(1 + i % 2),
                        LatencySamples.source(SourceKind.BENCHMARK, "secure-it", null), 1, 3000, 5,
                        1_764_000_000_000_000L, 100.0 + i % 5, 2.0));
                }
                publisher.flush();
                assertThat(publisher.failed()).isZero();
                final RecommendationKey key = new RecommendationKey(d, "default");
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> planner.latest(key).map(Recommendation::getSamplesTotal).orElse(0L) == 200L);
            }

            // A plaintext client gets nowhere.
            final Properties plain = new Properties();
            plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(quick(plain))) {
                assertThatThrownBy(() -> admin.describeCluster().nodes().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            }
            // Nor does one with the wrong password: authentication fails, it is not a timeout.
            final Properties wrong = kafka.clientProps();
            wrong.put("sasl.jaas.config", EmbeddedKafka.jaas(USER, "not-the-password"));
            try (Admin admin = Admin.create(quick(wrong))) {
                assertThatThrownBy(() -> admin.describeCluster().nodes().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
            // And the command line says so in one line, with a non-zero exit.
            final Path bad = dir.resolve("bad.properties");
            file.put("sasl.jaas.config", EmbeddedKafka.jaas(USER, "not-the-password"));
            try (OutputStream out = Files.newOutputStream(bad)) {
                file.store(out, "wrong password");
            }
            final CliRunner.Outcome refused = CliRunner.run("topics", "--bootstrap-servers", kafka.bootstrapServers(),
                "--kafka-config", bad.toString(), "--connect-timeout", "10");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("refused the credentials");
            System.out.println("wrong password: " + refused.output().trim());
        }
    }
}
