package dev.slaprof.cli;

import dev.slaprof.producer.AiperfImporter;
import dev.slaprof.producer.AiperfRecord;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.SourceKind;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import-aiperf", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Publish AIPerf per-request exports (profile_export.jsonl) as samples.")
final class ImportAiperfCommand implements Callable<Integer> {
    @Mixin
    private KafkaOptions kafka;
    @Mixin
    private DeploymentOptions deployment;
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "profile_export.jsonl files.")
    private List<Path> files;
    @Option(names = "--mapping", required = true, description = "Mapping measured, e.g. TP=2.")
    private String mapping;
    @Option(names = "--role", defaultValue = "aggregated", description = "prefill, decode or aggregated.")
    private String role;
    @Option(names = "--concurrency", defaultValue = "1", description = "AIPerf --concurrency of the run.")
    private int concurrency;
    @Option(names = "--follow", description = "Tail the (single) file as it grows, until Ctrl-C.")
    private boolean follow;

    @Override
    public Integer call() throws Exception {
        try (SamplePublisher publisher = new SamplePublisher(kafka.client(), kafka.topics())) {
            for (final Path f : files) {
                final AiperfRecord.Context ctx = new AiperfRecord.Context(deployment.deployment(), Endpoint.role(role),
                    Mappings.parse(mapping), concurrency, 0, "import-aiperf", f.toAbsolutePath().toString(),
                    SourceKind.IMPORT);
                final AiperfImporter.Result r;
                if (follow) {
                    // Ctrl-C ends the tail; the signal's hook waits for the publisher to flush and close.
                    final CountDownLatch stop = Daemon.stopSignal();
                    r = AiperfImporter.follow(f, ctx, publisher::publish, () -> stop.getCount() == 0, 200);
                } else {
                    r = AiperfImporter.importFile(f, ctx, publisher::publish);
                }
                r.rejected().forEach(x -> System.out.println("slaprof: rejected " + x));
                System.out.println("slaprof: " + f + ": " + r.imported() + " samples, " + r.rejected().size()
                    + " lines rejected; " + r.ignoredSummary());
            }
            publisher.flush();
        }
        return 0;
    }
}
