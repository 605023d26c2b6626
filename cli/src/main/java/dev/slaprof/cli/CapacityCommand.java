package dev.slaprof.cli;

import dev.slaprof.producer.CapacityDiscovery;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slaprof capacity}: what KV capacity slaprof reads from an engine's log or metrics, and from which line. */
@Command(name = "capacity", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Print the KV-cache capacity (tokens per rank) slaprof reads from an engine's start-up log or",
        "/metrics, the rule and the line it came from, or why it found nothing (exit 1)."})
final class CapacityCommand implements Callable<Integer> {
    /** Exactly one source. */
    static final class Source {
        @Option(names = "--log", paramLabel = "FILE", description = "An engine start-up log (vLLM, SGLang, TRT-LLM).")
        Path log;
        @Option(names = "--metrics", paramLabel = "FILE", description = "A saved /metrics text (vLLM or SGLang).")
        Path metrics;
        @Option(names = "--url", paramLabel = "URL", description = "An engine's base URL: its /metrics is read.")
        String url;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;
    @Option(names = "--block-size", defaultValue = "16",
        description = "vLLM V0's --block-size, for a '# GPU blocks: N' line.")
    private int blockSize;

    @Override
    public Integer call() throws Exception {
        if (blockSize < 1) {
            throw new IllegalArgumentException("--block-size must be >= 1, got " + blockSize);
        }
        final CapacityDiscovery.Finding f;
        final String from;
        if (source.log != null) {
            f = CapacityDiscovery.readLog(Files.readString(source.log), blockSize);
            from = source.log.toString();
        } else if (source.metrics != null) {
            f = CapacityDiscovery.readMetrics(Files.readString(source.metrics));
            from = source.metrics.toString();
        } else {
            f = CapacityDiscovery.scrapeFinding(HttpClient.newHttpClient(), source.url.replaceAll("/+$", ""));
            from = source.url + "/metrics";
        }
        System.out.println("slaprof: capacity from " + from + ": " + f.describe());
        return f.found() ? 0 : 1;
    }
}
