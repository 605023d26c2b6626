package dev.slaprof.cli;

import dev.slaprof.bench.HttpBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slaprof bench-http}: the simulator's capacity and the live tap's added latency ({@link HttpBench}). */
@Command(name = "bench-http", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Measure the simulator's capacity and the live tap's added latency over loopback HTTP.")
final class BenchHttpCommand implements Callable<Integer> {
    @Option(names = "--sim-streams", defaultValue = "256", description = "Concurrent streams for the capacity run.")
    private int simStreams;
    @Option(names = "--tap-streams", defaultValue = "500", description = "Concurrent streams for the tap run.")
    private int tapStreams;
    @Option(names = "--rounds", defaultValue = "3", description = "Bursts per configuration.")
    private int rounds;
    @Option(names = "--osl", defaultValue = "64", description = "Output tokens per request.")
    private int osl;
    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        new HttpBench(simStreams, tapStreams, rounds, osl).run(System.out);
        return 0;
    }
}
