package dev.slaprof.e2e;

import dev.slaprof.schema.SchemaRegistryClient;
import dev.slaprof.schema.Topics;
import dev.slaprof.embedded.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;

/**
 * The broker an integration test talks to: an external cluster ({@code KAFKA_BOOTSTRAP_SERVERS}), a Testcontainers
 * broker when Docker exists, or the in-process KRaft broker.
 *
 * @param bootstrapServers where to connect
 * @param mode             EXTERNAL, CONTAINER or EMBEDDED
 * @param embedded         the in-process broker, or null in the other modes (fault tests need it)
 */
public record TestBroker(String bootstrapServers, String mode, EmbeddedKafka embedded) {

    /** Starts a topology and waits (60 s at most) until it runs with tasks assigned. */
    public static void startAndAwaitTasks(final KafkaStreams streams) {
        streams.start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> streams.state()
            == KafkaStreams.State.RUNNING
            && !streams.metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
    }

    /**
     * This test's own topics: every slaprof topic under a prefix no other test or run uses ({@code name.<8 hex>.}),
     * created on the broker. A test that owns its topics reads them from the start and sees only its own records.
     */
    public Topics ownTopics(final String name, final SchemaRegistryClient registry) {
        final String prefix = ownPrefix(name);
        try (Admin admin = Admin.create(clientProps())) {
            TopicProvisioner.provision(admin, TopicProvisioner.load(null, prefix), 30_000);
        }
        return Topics.create(registry, prefix);
    }

    /** A topic prefix no other test or run uses, for a test that provisions through the CLI. */
    public static String ownPrefix(final String name) {
        return name + "." + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    /** Client properties with the bootstrap servers set. */
    public Properties clientProps() {
        final Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }
}
