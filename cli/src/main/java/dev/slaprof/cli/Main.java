package dev.slaprof.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code slaprof} command. */
@Command(name = "slaprof", mixinStandardHelpOptions = true, version = "slaprof 0.1.0",
    description = "Continuous SLA-driven profiling of disaggregated LLM serving on Kafka Streams.",
    subcommands = {RunCommand.class, WorkerCommand.class, StreamCommand.class, SinkCommand.class, TapCommand.class,
        ImportAiperfCommand.class, ImportTraceCommand.class, SimulateCommand.class, RegistryCommand.class,
        CapacityCommand.class, ProvisionTopicsCommand.class, KafkaCommand.class, BenchCommand.class,
        BenchHttpCommand.class, BenchEstimateCommand.class, CalibrateAicCommand.class, CalibrateMeasuredCommand.class,
        AccuracyCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The command line with slaprof's error handling (one line, non-zero exit, trace only with --verbose). */
    public static CommandLine commandLine() {
        final CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        // Every command resolves its options the same way (flags, files, SLAPROF_* environment, defaults).
        final CommandLine.IExecutionStrategy resolving = Settings.resolvingFrom(System.getenv());
        // On SIGTERM the shutdown hook waits while a command is still closing its resources, and only then.
        cli.setExecutionStrategy(parsed -> {
            Daemon.started();
            try {
                return resolving.execute(parsed);
            } finally {
                Daemon.returned();
            }
        });
        return cli;
    }

    /** Avro's packages a specific reader may instantiate: slaprof's own, set here so {@code java -jar} needs no flag. */
    static final String AVRO_TRUSTED = "org.apache.avro.SERIALIZABLE_PACKAGES";

    public static void main(final String[] args) {
        if (System.getProperty(AVRO_TRUSTED) == null) {
            System.setProperty(AVRO_TRUSTED, "dev.slaprof");
        }
        final int rc = commandLine().execute(args);
        System.exit(rc);
    }
}
