package dev.slaprof.embedded;

import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;

/** The one-machine default: an in-process KRaft broker and schema registry, topics provisioned. */
public final class EmbeddedStack implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final RegistryHttpServer registry;
    private final Properties client = new Properties();
    private final Topics topics;

    private EmbeddedStack(final EmbeddedKafka kafka, final RegistryHttpServer registry) {
        this.kafka = kafka;
        this.registry = registry;
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
        }
        // Through HTTP even in-process, so the registry REST path is the one exercised.
        topics = Topics.create(new HttpSchemaRegistryClient(registry.url()));
    }

    public static EmbeddedStack start(final PrintStream out) throws IOException {
        final EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            final EmbeddedStack e = new EmbeddedStack(kafka, new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1",
                0));
            out.println("slaprof: embedded Kafka " + kafka.bootstrapServers() + ", schema registry "
                + e.registry.url());
            return e;
        } catch (final IOException | RuntimeException ex) {
            kafka.close();
            throw ex;
        }
    }

    public Properties client() {
        final Properties p = new Properties();
        p.putAll(client);
        return p;
    }

    public Topics topics() {
        return topics;
    }

    @Override
    public void close() {
        registry.close();
        kafka.close();
    }
}
