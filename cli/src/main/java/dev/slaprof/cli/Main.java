package dev.slaprof.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code slaprof} command. */
@Command(name = "slaprof", mixinStandardHelpOptions = true, version = "slaprof 0.1.0",
    description = "Continuous SLA-driven profiling of disaggregated LLM serving on Kafka Streams.",
    subcommands = {RunCommand.class, Subcommands.Worker.class, Subcommands.Stream.class, Subcommands.Sink.class, Subcommands.Tap.class,
        Subcommands.ImportAiperf.class, Subcommands.Simulate.class, Subcommands.Registry.class, CapacityCommand.class,
        Subcommands.ProvisionTopics.class, BenchCommand.class, BenchHttpCommand.class, BenchEstimateCommand.class, CalibrateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The command line with slaprof's error handling (one line, non-zero exit, trace only with --verbose). */
    public static CommandLine commandLine() {
        final CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        return cli;
    }

    public static void main(final String[] args) {
        final int rc = commandLine().execute(args);
        Daemon.exiting();
        System.exit(rc);
    }
}
