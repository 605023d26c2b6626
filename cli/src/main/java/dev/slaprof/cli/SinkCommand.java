package dev.slaprof.cli;

import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.sink.OutputWriter;
import dev.slaprof.sink.SinkService;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sink", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Keep the output directory, the REST API and the live web UI current from the recommendations "
        + "topic; pins chosen in the UI go to the selections topic.")
final class SinkCommand implements Callable<Integer> {
    @Mixin
    private KafkaOptions kafka;
    @Option(names = "--output-dir", defaultValue = "slaprof-output", description = "Output directory.")
    private Path outputDir;
    @Mixin
    private HostOption bind;
    @Option(names = "--ui-port", defaultValue = "8377", description = "Port of the web UI and REST API.")
    private int port;
    @Option(names = "--num-gpus-per-node", defaultValue = "8", description = "GPUs per node (DGD layout).")
    private int gpusPerNode;
    @Mixin
    private HttpSecurityOptions security;

    @Override
    public Integer call() throws Exception {
        final HttpSurface.Options http = security.resolve();
        // Refused before any Kafka connection: an open write surface off loopback is a configuration error.
        AccessPolicy.checkBind(bind.host, http.access(), "web UI and REST API");
        try (SinkService sink = new SinkService(kafka.client(), kafka.topics(),
            new OutputWriter(outputDir, gpusPerNode), bind.host, port, Map::of, http)) {
            System.out.println("slaprof: web UI " + sink.url() + "/, REST API " + sink.url()
                + "/api/recommendations, files in "
                + outputDir.toAbsolutePath() + " (Ctrl-C to stop)");
            Daemon.awaitShutdown();
        }
        return 0;
    }
}
