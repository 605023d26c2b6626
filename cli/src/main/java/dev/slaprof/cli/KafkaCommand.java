package dev.slaprof.cli;

import dev.slaprof.embedded.EmbeddedKafka;
import dev.slaprof.embedded.JournaledSchemaRegistry;
import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof kafka --data-dir DIR}: the same embedded KRaft broker and schema registry as {@code run}, kept under
 * a directory across restarts, so {@code worker}, {@code tap}, {@code stream} and {@code sink} can be tried on one
 * machine without writing a server.properties. Not a production cluster: one node, plaintext, on loopback.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Start a one-node Kafka broker (KRaft) and a schema registry on loopback, persistent under",
        "--data-dir, with slaprof's topics; print their addresses; run until Ctrl-C. For trying the distributed",
        "commands on one machine; production uses a real cluster (docs/OPERATIONS.md)."})
final class KafkaCommand implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "Where the broker's log and the "
        + "registry's journal live; reused by the next start (same ports, topics, records and schema ids).")
    private Path dataDir;
    @Option(names = "--port", defaultValue = "9092", description = "Broker port on the first start (0 = any free); "
        + "later starts keep the first one.")
    private int port;
    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port (0 = any free).")
    private int registryPort;
    @Option(names = "--topics-config", paramLabel = "FILE", description = "Topic settings (default: the bundled "
        + "config/topics.properties).")
    private Path topicsConfig;
    @Mixin
    private HttpSecurityOptions security;

    @Override
    public Integer call() throws Exception {
        final Path dir = dataDir.toAbsolutePath();
        try (EmbeddedKafka kafka = EmbeddedKafka.startPersistent(dir.resolve("broker"), port)) {
            final Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicProvisioner.provision(admin, TopicProvisioner.load(topicsConfig), 30_000);
            }
            final JournaledSchemaRegistry schemas = new JournaledSchemaRegistry(dir.resolve("registry.jsonl"));
            try (RegistryHttpServer registry = new RegistryHttpServer(schemas, "127.0.0.1", registryPort,
                security.resolve())) {
                System.out.println("slaprof: Kafka bootstrap " + kafka.bootstrapServers());
                System.out.println("slaprof: schema registry " + registry.url() + " (" + schemas.replayed()
                    + " changes replayed from " + dir.resolve("registry.jsonl") + ")");
                System.out.println("slaprof: data in " + dir + "; try: slaprof stream --bootstrap-servers "
                    + kafka.bootstrapServers() + " --schema-registry-url " + registry.url() + " (Ctrl-C to stop)");
                Daemon.awaitShutdown();
            }
        }
        return 0;
    }
}
