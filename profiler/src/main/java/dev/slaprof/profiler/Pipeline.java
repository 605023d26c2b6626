package dev.slaprof.profiler;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.embedded.EmbeddedStack;
import dev.slaprof.embedded.RunPrincipal;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.sink.OutputWriter;
import dev.slaprof.sink.SinkService;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsRunner;
import dev.slaprof.topology.TemporaryStateDir;
import dev.slaprof.topology.StreamsSettings;
import dev.slaprof.topology.TopologyMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The embedded run's Kafka side: the Streams topology and the sinks (output directory + REST API) reading the
 * compacted recommendations topic.
 */
public final class Pipeline implements AutoCloseable {
    private final StreamsRunner runner;
    /** The topology's stores: the run's application id is random, so its state ends with the run. */
    private final TemporaryStateDir stateDir = TemporaryStateDir.create();
    private final KafkaStreams streams;
    private final SinkService sink;
    private final KafkaProducer<ProfileKey, SlaTarget> slaProducer;
    private final Deployment deployment;
    private final String profile;
    private final String slaTopic;

    private Pipeline(final Clients clients, final Topics topics, final SlaTarget sla, final Path outputDir,
                     final Deployment deployment, final Http http, final int gpusPerNode, final Duration horizon)
        throws IOException {
        this.deployment = deployment;
        this.profile = sla.getProfile();
        this.slaTopic = topics.slaTargets().name();
        final Properties props = StreamsSettings.defaults(clients.stream(), topics, RunPrincipal.STREAMS_PREFIX
            + UUID.randomUUID(),
            stateDir.path());
        // A fresh embedded broker creates its coordinators' logs on first use; the clients' retries back off
        // exponentially to 1 s meanwhile. On one local broker a short, flat backoff reaches RUNNING sooner.
        props.putIfAbsent(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, "100");
        try {
            runner = StreamsRunner.start(SlaprofTopology.build(props, topics, sla, Duration.ofMillis(250), horizon),
                props);
        } catch (final RuntimeException e) {
            stateDir.close();
            throw e;
        }
        streams = runner.streams();
        try {
            sink = new SinkService(clients.sink(), topics, new OutputWriter(outputDir, gpusPerNode), http.host(), http.port(),
                () -> TopologyMetrics.gauges(streams), http.options());
        } catch (final BindException e) {
            runner.close();
            stateDir.close();
            throw new IllegalArgumentException("port " + http.port() + " is busy; choose another with --ui-port");
        } catch (final IOException | RuntimeException e) {
            runner.close();
            stateDir.close();
            throw e;
        }
        slaProducer = new KafkaProducer<>(clients.producer(), topics.slaTargets().keySerde().serializer(),
            topics.slaTargets().valueSerde().serializer());
    }

    /**
     * The client settings of the run's three Kafka principals: the producers' (the SLA publisher), the topology's
     * and the sinks'; the same settings three times on a trusted-local broker.
     */
    public record Clients(Properties producer, Properties stream, Properties sink) {
        public static Clients of(final EmbeddedStack env) {
            return new Clients(env.client(RunPrincipal.PRODUCER), env.client(RunPrincipal.STREAM),
                env.client(RunPrincipal.SINK));
        }
    }

    /** Where and how the web UI and REST API listen. */
    public record Http(String host, int port, HttpSurface.Options options) {
    }

    public static Pipeline start(final Clients client, final Topics topics, final SlaTarget sla, final Path outputDir,
                          final Deployment deployment, final Http http, final int gpusPerNode,
                          final Duration horizon) throws IOException {
        return new Pipeline(client, topics, sla, outputDir, deployment, http, gpusPerNode, horizon);
    }

    /** A pipeline starting on its own thread; {@link #close()} closes it once it is up. */
    public static final class Starting implements AutoCloseable {
        private final CompletableFuture<Pipeline> future;
        private boolean announced;

        private Starting(final CompletableFuture<Pipeline> future) {
            this.future = future;
        }

        /** The started pipeline; a failure to start is rethrown here with its cause. */
        public Pipeline await() {
            try {
                return future.join();
            } catch (final CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("the pipeline did not start: " + e.getCause(), e.getCause());
            }
        }

        /** True the first time it is called: the caller announces the pipeline once. */
        public synchronized boolean announce() {
            final boolean first = !announced;
            announced = true;
            return first;
        }

        @Override
        public void close() {
            try {
                future.join().close();
            } catch (final CompletionException e) {
                // It never started: nothing to close; await() reported the cause.
            }
        }
    }

    /** Starts the pipeline on a thread of its own (the caller may run the first sweep meanwhile). */
    public static Starting startInBackground(final Clients client, final Topics topics, final SlaTarget sla,
                                      final Path outputDir, final Deployment deployment, final Http http,
                                      final int gpusPerNode, final Duration horizon) {
        return new Starting(CompletableFuture.supplyAsync(() -> {
            try {
                return start(client, topics, sla, outputDir, deployment, http, gpusPerNode, horizon);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    public void publishSla(final SlaTarget sla) {
        slaProducer.send(new ProducerRecord<>(slaTopic, new ProfileKey(sla.getProfile()), sla));
        slaProducer.flush();
    }

    /**
     * This deployment's bucket statistics once they hold exactly the samples {@code r} was computed from. The sink
     * reads the statistics and the recommendations on two consumers, so right after a recommendation arrives the
     * statistics may still lag it; a focus round planned on them would depend on timing, not on the data.
     */
    public List<MappingLoadStats> statsOf(final Recommendation r, final Duration timeout) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true) {
            final List<MappingLoadStats> mine = new ArrayList<>();
            long ok = 0;
            for (final MappingLoadStats s : sink.stats().all().values()) {
                if (s.getDeployment().equals(deployment)) {
                    mine.add(s);
                    ok += s.getOkCount();
                }
            }
            if (ok == r.getSamplesTotal()) {
                return mine;
            }
            if (System.nanoTime() >= deadlineNs) {
                throw new IllegalStateException("the bucket statistics did not reach the recommendation's "
                    + r.getSamplesTotal() + " samples within " + timeout.toSeconds() + " s (they hold " + ok + ")");
            }
            runner.checkHealthy();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** Base URL of the REST API. */
    public String apiUrl() {
        return sink.url();
    }

    /** Waits until the recommendation counts at least {@code profilingSamples} successful profiling samples. */
    public Recommendation awaitSamples(final long profilingSamples, final Duration timeout) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final RecommendationKey key = new RecommendationKey(deployment, profile);
        while (System.nanoTime() < deadlineNs) {
            final Recommendation r = sink.client().latest(key).orElse(null);
            if (r != null && r.getSamplesTotal() >= profilingSamples) {
                return r;
            }
            runner.checkHealthy();
            if (streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the Streams topology stopped: " + streams.state());
            }
            // The sink's reader thread fills the latest map; a short poll keeps this wait bounded by the deadline.
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("no up-to-date recommendation within " + timeout.toSeconds() + " s");
    }

    /** The output folder the sink wrote for this recommendation, once its files are written. */
    public Path outputFolder(final Recommendation r) throws InterruptedException {
        final Path folder = sink.awaitWritten(r, Duration.ofSeconds(60));
        if (folder == null) {
            throw new IllegalStateException("the outputs of the recommendation were not written within 60 s");
        }
        return folder;
    }

    @Override
    public void close() {
        sink.close();
        slaProducer.close();
        runner.close();
        stateDir.close();
    }
}
