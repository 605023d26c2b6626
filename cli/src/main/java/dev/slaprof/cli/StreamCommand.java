package dev.slaprof.cli;

import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.LoopbackHttp;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsRunner;
import dev.slaprof.topology.TemporaryStateDir;
import dev.slaprof.topology.StreamsSettings;
import dev.slaprof.topology.TopologyMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
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
            sla, Duration.ofMillis(rateLimitMs), horizon), props)) {
            final KafkaStreams streams = runner.streams();
            HttpServer metrics = null;
            if (metricsPort >= 0) {
                metrics = LoopbackHttp.create("127.0.0.1", metricsPort, 8);
                metrics.createContext("/metrics", ex -> {
                    final StringBuilder sb = new StringBuilder();
                    TopologyMetrics.gauges(streams).forEach((k, v) -> sb.append("# TYPE ")
                        .append(k).append(" counter\n").append(k).append(' ').append(v).append('\n'));
                    LoopbackHttp.send(ex, 200, "text/plain; version=0.0.4",
                        sb.toString().getBytes(StandardCharsets.UTF_8));
                    ex.close();
                });
                metrics.start();
                System.out.println("slaprof: metrics on http://127.0.0.1:" + metrics.getAddress().getPort()
                    + "/metrics");
            }
            System.out.println("slaprof: topology running as " + kafka.applicationId
                + (horizon == null ? "" : ", ageing horizon " + horizon) + " (Ctrl-C to stop)");
            try {
                // Returns on Ctrl-C; throws, naming the cause, when the topology dies (exit code 1).
                runner.awaitStopOrFailure(stop);
            } finally {
                if (metrics != null) {
                    metrics.stop(0);
                }
            }
        }
        return 0;
    }
}
