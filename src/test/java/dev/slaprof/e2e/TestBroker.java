package dev.slaprof.e2e;

import dev.slaprof.schema.kafka.EmbeddedKafka;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The broker an integration test talks to: an external cluster ({@code KAFKA_BOOTSTRAP_SERVERS}), a Testcontainers
 * broker when Docker exists, or the in-process KRaft broker.
 *
 * @param bootstrapServers where to connect
 * @param mode             EXTERNAL, CONTAINER or EMBEDDED
 * @param embedded         the in-process broker, or null in the other modes (fault tests need it)
 */
public record TestBroker(String bootstrapServers, String mode, EmbeddedKafka embedded) {

    /** Starts a topology and waits (60 s at most) until it runs with tasks assigned, so "latest" input is read. */
    public static void startAndAwaitTasks(final org.apache.kafka.streams.KafkaStreams streams) {
        streams.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> streams.state()
            == org.apache.kafka.streams.KafkaStreams.State.RUNNING
            && !streams.metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
    }

    /** Client properties with the bootstrap servers set. */
    public Properties clientProps() {
        final Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }
}
