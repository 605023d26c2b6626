package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Subcommands against a cluster given by flags: topics, import-aiperf, and the bounded wait for a dead broker. */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterModeIT {
    private static final String OLD = "../../testdata/aiperf/old-schema/profile_export.jsonl";

    @Test
    void shouldImportAiperfRecordsIntoTheCluster(final TestBroker broker) throws Exception {
        try (RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            final String engineVersion = "cluster-it-" + UUID.randomUUID();
            // The CLI's --topic-prefix gives this test topics of its own on the shared broker.
            final String prefix = TestBroker.ownPrefix("cluster-it");
            final CliRunner.Outcome created = CliRunner.run("topics", "--bootstrap-servers", broker.bootstrapServers(),
                "--topic-prefix", prefix);
            assertThat(created.exitCode()).as(created.output()).isZero();
            assertThat(created.output()).contains(prefix + "latency-samples");
            final CliRunner.Outcome o = CliRunner.run("import-aiperf", OLD, "--bootstrap-servers",
                broker.bootstrapServers(), "--schema-registry-url", registry.url(), "--topic-prefix", prefix,
                "--model", "openai/gpt-oss-20b", "--gpu-type", "H100-SXM", "--engine-version", engineVersion,
                "--mapping", "TP=1", "--concurrency", "100");
            assertThat(o.exitCode()).as(o.output()).isZero();
            assertThat(o.output()).contains("100 samples, 0 lines rejected");
            final Topics topics = Topics.create(new HttpSchemaRegistryClient(registry.url()), prefix);
            final Properties p = broker.clientProps();
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-it-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            int mine = 0;
            int others = 0;
            try (KafkaConsumer<Deployment, LatencySample> c = new KafkaConsumer<>(p,
                topics.samples().keySerde().deserializer(), topics.samples().valueSerde().deserializer())) {
                c.subscribe(List.of(topics.samples().name()));
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (mine < 100 && System.nanoTime() < deadline) {
                    for (final var r : c.poll(Duration.ofMillis(200))) {
                        if (r.value().getDeployment().getEngineVersion().equals(engineVersion)) {
                            mine++;
                        } else {
                            others++;
                        }
                    }
                }
            }
            assertThat(others).as("records in this test's topic that it did not write").isZero();
            assertThat(mine).isEqualTo(100);
        }
    }

    @Test
    void shouldGiveUpOnAnUnreachableBrokerWithOneLine() {
        final long t0 = System.nanoTime();
        final CliRunner.Outcome o = CliRunner.run("topics", "--bootstrap-servers", "127.0.0.1:1",
            "--connect-timeout", "3");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.output().strip()).startsWith("slaprof: error: cannot reach Kafka at 127.0.0.1:1 within 3 s");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(20);
    }
}
