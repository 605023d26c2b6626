package dev.slaprof.embedded;

import dev.slaprof.http.HttpSurface;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;

/**
 * The embedded broker and schema registry of {@code slaprof kafka}, kept under one directory across restarts (the
 * broker's log in {@code broker/}, the registry's journal in {@code registry.jsonl}), with slaprof's topics: for
 * trying the distributed commands on one machine. One node, plaintext Kafka, on loopback; not a production cluster.
 */
public final class PersistentStack implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final RegistryHttpServer registry;

    private PersistentStack(final EmbeddedKafka kafka, final RegistryHttpServer registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /**
     * Starts (or restarts) the stack under {@code dir}: the broker on {@code port} at its first start (later starts
     * keep it), the topics of {@code topicsConfig} (null: the bundled ones), the registry on {@code registryPort}
     * behind {@code http}. Prints where each is to {@code out}.
     */
    public static PersistentStack start(final Path dir, final int port, final int registryPort,
                                        final Path topicsConfig, final HttpSurface.Options http,
                                        final PrintStream out) throws IOException {
        final Path home = dir.toAbsolutePath();
        final EmbeddedKafka kafka = EmbeddedKafka.startPersistent(home.resolve("broker"), port);
        try {
            final Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicProvisioner.provision(admin, TopicProvisioner.load(topicsConfig), 30_000);
            }
            final JournaledSchemaRegistry schemas = new JournaledSchemaRegistry(home.resolve("registry.jsonl"));
            final RegistryHttpServer registry = new RegistryHttpServer(schemas, "127.0.0.1", registryPort, http);
            out.println("slaprof: Kafka bootstrap " + kafka.bootstrapServers());
            out.println("slaprof: schema registry " + registry.url() + " (" + schemas.replayed()
                + " changes replayed from " + home.resolve("registry.jsonl") + ")");
            out.println("slaprof: data in " + home + "; try: slaprof stream --bootstrap-servers "
                + kafka.bootstrapServers() + " --schema-registry-url " + registry.url() + " (Ctrl-C to stop)");
            return new PersistentStack(kafka, registry);
        } catch (final IOException | RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    /** The broker's bootstrap address. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The registry's URL. */
    public String registryUrl() {
        return registry.url();
    }

    @Override
    public void close() {
        registry.close();
        kafka.close();
    }
}
