package dev.slaprof.cli;

import dev.slaprof.embedded.PersistentStack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof kafka --data-dir DIR}: the same embedded KRaft broker and schema registry as {@code run}, kept under
 * a directory across restarts, so {@code worker}, {@code tap}, {@code stream} and {@code sink} can be tried on one
 * machine without writing a server.properties ({@link PersistentStack}). Not a production cluster.
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
        try (PersistentStack stack = PersistentStack.start(dataDir, port, registryPort, topicsConfig, security.resolve(),
            System.out)) {
            Daemon.awaitShutdown();
        }
        return 0;
    }
}
