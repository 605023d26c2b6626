package dev.slaprof.cli;

import dev.slaprof.producer.BoundedSampleQueue;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.producer.TapProxy;
import dev.slaprof.schema.Mappings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tap", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Proxy an engine and publish one sample per real streaming request.")
final class TapCommand implements Callable<Integer> {
    @Mixin
    private KafkaOptions kafka;
    @Mixin
    private DeploymentOptions deployment;
    @Option(names = "--upstream", required = true, description = "Engine base URL, e.g. http://127.0.0.1:8000.")
    private String upstream;
    @Option(names = "--mapping", required = true, description = "Engine mapping, e.g. TP=4.")
    private String mapping;
    @Option(names = "--role", defaultValue = "aggregated", description = "prefill, decode or aggregated.")
    private String role;
    @Mixin
    private HostOption bind;
    @Option(names = "--port", defaultValue = "8400", description = "Listen port.")
    private int port;
    @Option(names = "--buffer", defaultValue = "100000", description = "Samples buffered before dropping.")
    private int buffer;

    @Override
    public Integer call() throws Exception {
        final Endpoint labels = new Endpoint(upstream, deployment.deployment(), Endpoint.role(role), Mappings.parse(mapping),
            false);
        try (SamplePublisher publisher = new SamplePublisher(kafka.client(), kafka.topics());
             BoundedSampleQueue queue = new BoundedSampleQueue(buffer, publisher::publish);
             TapProxy tap = new TapProxy(upstream, labels, queue, bind.host, port)) {
            System.out.println("slaprof: tap " + tap.url() + " -> " + upstream + " (Ctrl-C to stop)");
            Daemon.awaitShutdown();
            System.out.println("slaprof: tap published " + queue.handed() + " samples, dropped "
                + queue.dropped());
        }
        return 0;
    }
}
