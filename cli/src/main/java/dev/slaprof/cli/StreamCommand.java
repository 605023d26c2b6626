package dev.slaprof.cli;

import dev.slaprof.http.MetricsEndpoint;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsRunner;
import dev.slaprof.topology.TemporaryStateDir;
import dev.slaprof.topology.StreamsSettings;
import dev.slaprof.topology.TopologyMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stream", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Run the Kafka Streams topology (statistics and recommendations) until stopped.")
final class StreamCommand implements Callable<Integer> {
    @Mixin
    private KafkaOptions kafka;
    @Option(names = "--state-dir", description = "Local state directory (default: a temporary one).")
    private Path stateDir;
    /** The default profile's targets (profiles on the SLA topic override it). */
    @Mixin
    private SlaOptions slaOptions;
    @Option(names = "--rate-limit-ms", defaultValue = "250",
        description = "Least interval between two recomputations of one deployment.")
    private long rateLimitMs;
    @Option(names = "--horizon", defaultValue = "none", converter = HorizonConverter.class,
        description = "Age out samples older than this (none, 90s, 30m, 6h, 7d or ISO-8601), so a changed engine "
            + "is re-learned.")
    private Duration horizon;
    @Option(names = "--metrics-port", defaultValue = "-1",
        description = "Serve Prometheus /metrics (samples, duplicates, dead letters) on this loopback port; -1 = off.")
    private int metricsPort;
    @Option(names = "--hold-picks", description = {"Default profile: keep a pick until a rival beats it beyond both "
        + "95 % intervals (continuous profiling, live tap traffic).",
        "Without it the pick is Dynamo's rule on the data as it stands, whatever the order it arrived in."})
    private boolean holdPicks;

    @Override
    public Integer call() throws Exception {
        final Topics topics = kafka.topics();
        // Without --state-dir the stores live in a temporary folder deleted at exit (a restart restores them from
        // the changelogs).
        final TemporaryStateDir temporary = stateDir == null ? TemporaryStateDir.create() : null;
        final Properties props = StreamsSettings.defaults(kafka.client(), topics,
            kafka.applicationId, stateDir != null ? stateDir : temporary.path());
        final SlaTarget sla = slaOptions.target("default", 1, 1024, holdPicks);
        final CountDownLatch stop = Daemon.stopSignal();
        try (TemporaryStateDir deleted = temporary;
             StreamsRunner runner = StreamsRunner.start(SlaprofTopology.build(props, topics,
                 sla, Duration.ofMillis(rateLimitMs), horizon), props);
             MetricsEndpoint metrics = metricsPort < 0 ? null
                 : MetricsEndpoint.start(metricsPort, () -> TopologyMetrics.gauges(runner.streams()))) {
            if (metrics != null) {
                System.out.println("slaprof: metrics on " + metrics.url());
            }
            System.out.println("slaprof: topology running as " + kafka.applicationId
                + (horizon == null ? "" : ", ageing horizon " + horizon) + " (Ctrl-C to stop)");
            // Returns on Ctrl-C; throws, naming the cause, when the topology dies (exit code 1).
            runner.awaitStopOrFailure(stop);
        }
        return 0;
    }
}
