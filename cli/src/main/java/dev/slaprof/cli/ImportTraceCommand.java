package dev.slaprof.cli;

import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.trace.TraceFiles;
import dev.slaprof.producer.trace.TraceRecord;
import dev.slaprof.schema.Mappings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slaprof import-trace}: Dynamo's frontend request trace ({@code DYN_REQUEST_TRACE=1}) as a source of samples,
 * one per {@code request_end} record, exactly once into Kafka ({@link TraceFiles}); with {@code --follow}, a live
 * {@code jsonl} trace tailed across rotations until Ctrl-C.
 */
@Command(name = "import-trace", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Publish Dynamo's request trace (dynamo.request.trace.v1 JSONL, or finished .jsonl.gz segments)",
        "as samples: one per request_end record, ITL = (total - TTFT) / (output_tokens - 1), cached tokens kept;",
        "malformed records go to the dead-letter topic with the reason. Each file's position is committed with its",
        "records in one Kafka transaction, so a restart neither loses nor repeats a record."})
final class ImportTraceCommand implements Callable<Integer> {
    @Mixin
    private KafkaOptions kafka;
    @Mixin
    private DeploymentOptions deployment;
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Trace files (.jsonl, or .jsonl.gz segments).")
    private List<Path> files;
    @Option(names = "--mapping", required = true, description = "Mapping of the engines behind the frontend, e.g. "
        + "TP=2.")
    private String mapping;
    @Option(names = "--role", defaultValue = "aggregated", description = "prefill, decode or aggregated (the "
        + "frontend sees whole requests).")
    private String role;
    @Option(names = "--concurrency", defaultValue = "1", description = "Requests in flight to label the samples "
        + "with (the trace does not record it).")
    private int concurrency;
    @Option(names = "--follow", description = "Tail the (single, .jsonl) file as it grows and across rotations "
        + "(a rename to FILE.1 and a new FILE), until Ctrl-C.")
    private boolean follow;
    @Option(names = "--poll-ms", defaultValue = "200", description = "With --follow: pause when the file has nothing "
        + "new.")
    private long pollMs;
    @Option(names = "--checkpoint-id", description = "Names a file's committed position (default: its absolute "
        + "path); the same id resumes where the last run committed.")
    private String checkpointId;

    @Override
    public Integer call() throws Exception {
        final TraceRecord.Context ctx = new TraceRecord.Context(deployment.deployment(), Endpoint.role(role),
            Mappings.parse(mapping), concurrency, "import-trace");
        final CountDownLatch stop = follow ? Daemon.stopSignal() : new CountDownLatch(0);
        final long failures = new TraceFiles(kafka.client(), kafka.topics(), checkpointId, pollMs)
            .importAll(files, ctx, follow, () -> stop.getCount() == 0, System.out);
        if (failures > 0) {
            System.out.println("slaprof: " + failures + " malformed records are in the dead-letter topic with their "
                + "reasons (header slaprof.dlq.reason)");
        }
        return 0;
    }
}
