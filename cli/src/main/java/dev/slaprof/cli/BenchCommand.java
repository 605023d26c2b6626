package dev.slaprof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.bench.SystemBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof bench}: ingest against a bare Kafka Streams baseline, freshness and state size on the embedded broker
 * ({@link SystemBench}), printed as a table and written as JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Measure ingest against a bare Kafka Streams baseline, freshness and state size.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "1000000", description = "Samples in the throughput runs.")
    private int samples;
    @Option(names = "--rounds", defaultValue = "5",
        description = "Throughput rounds (baseline then slaprof each); the headline is the median of rounds 2-N.")
    private int rounds;
    @Option(names = "--buckets", defaultValue = "400", description = "Distinct buckets the samples fall in.")
    private int buckets;
    @Option(names = "--freshness-rate", defaultValue = "20000", description = "Offered load, samples/s.")
    private int rate;
    @Option(names = "--freshness-seconds", defaultValue = "15", description = "Length of the freshness run.")
    private int freshnessSeconds;
    @Option(names = "--state-samples", defaultValue = "10000000", description = "Samples for the state-size figure.")
    private int stateSamples;
    @Option(names = "--json", defaultValue = "bench-results.json", description = "Machine-readable results.")
    private Path json;
    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        final ObjectNode results = new SystemBench(samples, rounds, buckets, rate, freshnessSeconds, stateSamples)
            .run(System.out);
        SystemBench.print(System.out, results);
        Files.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(results));
        System.out.println("bench: results written to " + json.toAbsolutePath());
        return 0;
    }
}
