package dev.slaprof.cli;

import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.embedded.RegistryHttpServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "registry", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Serve an in-memory Confluent-compatible schema registry (for trials; state is not kept).")
final class RegistryCommand implements Callable<Integer> {
    @Mixin
    private HostOption bind;
    @Option(names = "--port", defaultValue = "8081", description = "Port.")
    private int port;
    @Mixin
    private HttpSecurityOptions security;

    @Override
    public Integer call() throws Exception {
        try (RegistryHttpServer server = new RegistryHttpServer(new InMemorySchemaRegistry(), bind.host, port,
            security.resolve())) {
            System.out.println("slaprof: schema registry on " + server.url() + " (Ctrl-C to stop)");
            Daemon.awaitShutdown();
        }
        return 0;
    }
}
