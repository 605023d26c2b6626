package dev.slaprof.cli;

import com.sun.net.httpserver.HttpServer;
import dev.slaprof.producer.AiperfImporter;
import dev.slaprof.producer.AiperfRecord;
import dev.slaprof.producer.BenchmarkWorker;
import dev.slaprof.producer.BoundedSampleQueue;
import dev.slaprof.producer.CapacityDiscovery;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.HttpLoadDriver;
import dev.slaprof.producer.LoadDriver;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.producer.StreamingClient;
import dev.slaprof.producer.TapProxy;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LoopbackHttp;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.RegistryHttpServer;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.CapacitySource;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.http.AccessPolicy;
import dev.slaprof.schema.http.HttpSurface;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import dev.slaprof.schema.kafka.TopicProvisioner;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.Fleet;
import dev.slaprof.sink.OutputWriter;
import dev.slaprof.sink.SinkService;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsRunner;
import dev.slaprof.topology.StreamsSettings;
import dev.slaprof.topology.TopologyMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The subcommands that run one part of slaprof against a real Kafka cluster. */
final class Subcommands {
    private Subcommands() {
    }

    static Role role(final String r) {
        try {
            return Role.valueOf(r.toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + r + "' (prefill, decode, aggregated)");
        }
    }

    @Command(name = "topics", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Create slaprof's topics from config/topics.properties (idempotent).")
    static final class ProvisionTopics implements Callable<Integer> {
        @Mixin
        private KafkaOptions kafka;
        @Option(names = "--topics-file", description = "Topic specs (default: the bundled config/topics.properties).")
        private Path file;

        @Override
        public Integer call() {
            try (Admin admin = Admin.create(kafka.client(System.getenv()))) {
                System.out.println("slaprof: created " + TopicProvisioner.provision(admin,
                    TopicProvisioner.load(file, kafka.topicPrefix(System.getenv())), 60_000));
            }
            return 0;
        }
    }

    @Command(name = "registry", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Serve an in-memory Confluent-compatible schema registry (for trials; state is not kept).")
    static final class Registry implements Callable<Integer> {
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (loopback by default).")
        private String host;
        @Option(names = "--port", defaultValue = "8081", description = "Port.")
        private int port;
        @Mixin
        private HttpSecurityOptions security;

        @Override
        public Integer call() throws Exception {
            try (RegistryHttpServer server = new RegistryHttpServer(new InMemorySchemaRegistry(), host, port,
                security.resolve(System.getenv()))) {
                System.out.println("slaprof: schema registry on " + server.url() + " (Ctrl-C to stop)");
                Daemon.awaitShutdown();
            }
            return 0;
        }
    }

    @Command(name = "stream", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run the Kafka Streams topology (statistics and recommendations) until stopped.")
    static final class Stream implements Callable<Integer> {
        @Mixin
        private KafkaOptions kafka;
        @Option(names = "--state-dir", description = "Local state directory (default: a temporary one).")
        private Path stateDir;
        @Option(names = "--ttft", defaultValue = "50", description = "Default profile TTFT target, ms.")
        private double ttft;
        @Option(names = "--itl", defaultValue = "10", description = "Default profile ITL target, ms.")
        private double itl;
        @Option(names = "--isl", defaultValue = "3000", description = "Default profile ISL.")
        private int isl;
        @Option(names = "--osl", defaultValue = "500", description = "Default profile OSL.")
        private int osl;
        @Option(names = "--statistic", defaultValue = "mean", description = "mean, p50, p90, p95 or p99.")
        private String statistic;
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
            final Topics topics = kafka.topics(System.getenv());
            final Properties props = StreamsSettings.defaults(kafka.client(System.getenv()), topics,
                kafka.applicationId, stateDir != null ? stateDir : Files.createTempDirectory("slaprof-state-"));
            final SlaTarget sla = SlaTargets.of("default", ttft, itl, isl, osl,
                Statistic.valueOf(statistic.toUpperCase(Locale.ROOT)), 1, 1024, 1, holdPicks);
            final CountDownLatch stop = Daemon.stopSignal();
            try (StreamsRunner runner = StreamsRunner.start(SlaprofTopology.build(props, topics,
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

    @Command(name = "sink", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Keep the output directory, the REST API and the live web UI current from the recommendations "
            + "topic; pins chosen in the UI go to the selections topic.")
    static final class Sink implements Callable<Integer> {
        @Mixin
        private KafkaOptions kafka;
        @Option(names = "--output-dir", defaultValue = "slaprof-output", description = "Output directory.")
        private Path outputDir;
        @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Bind address of the web UI and REST API (loopback by default; the UI can pin choices).")
        private String host;
        @Option(names = "--ui-port", defaultValue = "8377", description = "Port of the web UI and REST API.")
        private int port;
        @Option(names = "--num-gpus-per-node", defaultValue = "8", description = "GPUs per node (DGD layout).")
        private int gpusPerNode;
        @Mixin
        private HttpSecurityOptions security;

        @Override
        public Integer call() throws Exception {
            final HttpSurface.Options http = security.resolve(System.getenv());
            // Refused before any Kafka connection: an open write surface off loopback is a configuration error.
            AccessPolicy.checkBind(host, http.access(), "web UI and REST API");
            try (SinkService sink = new SinkService(kafka.client(System.getenv()), kafka.topics(System.getenv()),
                new OutputWriter(outputDir, gpusPerNode), host, port, Map::of, http)) {
                System.out.println("slaprof: web UI " + sink.url() + "/, REST API " + sink.url()
                    + "/api/recommendations, files in "
                    + outputDir.toAbsolutePath() + " (Ctrl-C to stop)");
                Daemon.awaitShutdown();
            }
            return 0;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Serve simulated OpenAI-compatible engines (one per mapping and role) until stopped.")
    static final class Simulate implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "Qwen/Qwen3-32B", description = "Model (config/models.yaml).")
        private String model;
        @Option(names = "--gpu-type", defaultValue = "H200-SXM", description = "GPU (config/gpus.yaml).")
        private String gpu;
        @Option(names = "--mapping", split = ",", defaultValue = "TP=1,TP=2,TP=4,TP=8", description = "Mappings.")
        private List<String> mappings;
        @Option(names = "--time-scale", defaultValue = "1", description = "Model ms per wall ms.")
        private double timeScale;
        @Option(names = "--error-rate", defaultValue = "0", description = "Share of requests failing with HTTP 500.")
        private double errorRate;
        @Option(names = "--abort-rate", defaultValue = "0", description = "Share of streams cut mid-way.")
        private double abortRate;

        @Override
        public Integer call() throws Exception {
            final List<Mapping> ms = new ArrayList<>();
            mappings.forEach(m -> ms.add(Mappings.parse(m)));
            try (Fleet fleet = Fleet.start(Catalog.bundled(), model, gpu, ms, List.of(Role.PREFILL, Role.DECODE),
                timeScale, 0.03, 1, new Faults(errorRate, abortRate, 0))) {
                for (final Fleet.Engine e : fleet.engines()) {
                    System.out.println("slaprof: " + e.label() + " " + e.url() + "/v1/chat/completions");
                }
                Daemon.awaitShutdown();
            }
            return 0;
        }
    }

    @Command(name = "tap", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Proxy an engine and publish one sample per real streaming request.")
    static final class Tap implements Callable<Integer> {
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
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address.")
        private String host;
        @Option(names = "--port", defaultValue = "8400", description = "Listen port.")
        private int port;
        @Option(names = "--buffer", defaultValue = "100000", description = "Samples buffered before dropping.")
        private int buffer;

        @Override
        public Integer call() throws Exception {
            final Endpoint labels = new Endpoint(upstream, deployment.deployment(), role(role), Mappings.parse(mapping),
                false);
            try (SamplePublisher publisher = new SamplePublisher(kafka.client(System.getenv()),
                     kafka.topics(System.getenv()));
                 BoundedSampleQueue queue = new BoundedSampleQueue(buffer, publisher::publish);
                 TapProxy tap = new TapProxy(upstream, labels, queue, host, port)) {
                System.out.println("slaprof: tap " + tap.url() + " -> " + upstream + " (Ctrl-C to stop)");
                Daemon.awaitShutdown();
                System.out.println("slaprof: tap published " + queue.handed() + " samples, dropped "
                    + queue.dropped());
            }
            return 0;
        }
    }

    @Command(name = "import-aiperf", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Publish AIPerf per-request exports (profile_export.jsonl) as samples.")
    static final class ImportAiperf implements Callable<Integer> {
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
            try (SamplePublisher publisher = new SamplePublisher(kafka.client(System.getenv()),
                kafka.topics(System.getenv()))) {
                for (final Path f : files) {
                    final AiperfRecord.Context ctx = new AiperfRecord.Context(deployment.deployment(), role(role),
                        Mappings.parse(mapping), concurrency, 0, "import-aiperf", f.toAbsolutePath().toString(),
                        SourceKind.IMPORT);
                    final AiperfImporter.Result r;
                    if (follow) {
                        final AtomicBoolean stop = new AtomicBoolean();
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
                        r = AiperfImporter.follow(f, ctx, publisher::publish, stop::get, 200);
                    } else {
                        r = AiperfImporter.importFile(f, ctx, publisher::publish);
                    }
                    r.rejected().forEach(x -> System.out.println("slaprof: rejected " + x));
                    System.out.println("slaprof: " + f + ": " + r.imported() + " samples, " + r.rejected().size()
                        + " lines rejected");
                }
                publisher.flush();
            }
            return 0;
        }
    }

    /**
     * Waits (at most {@code timeout}) until the statistics topic counts {@code published} successful samples for the
     * deployment, so a focus round ranks this sweep's results; a topology that lags or is down only costs the wait.
     */
    static void awaitCounted(final CompactedTopicReader<StatsKey,
        MappingLoadStats> stats, final Deployment d,
                             final long published, final Duration timeout) throws InterruptedException {
        stats.awaitUntil(all -> all.values().stream().filter(s -> s.getDeployment().equals(d))
            .mapToLong(MappingLoadStats::getOkCount).sum() >= published, timeout);
    }

    @Command(name = "worker", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run Dynamo's parallelization sweep against live endpoints and publish every request.")
    static final class Worker implements Callable<Integer> {
        @Mixin
        private KafkaOptions kafka;
        @Mixin
        private DeploymentOptions deployment;
        @Option(names = "--endpoint", required = true, paramLabel = "ROLE:MAPPING:URL",
            description = "An engine, e.g. prefill:TP=1:http://10.0.0.5:8000 (repeat for each engine).")
        private List<String> endpoints;
        @Option(names = "--isl", defaultValue = "3000", description = "SLA ISL of the sweep.")
        private int isl;
        @Option(names = "--osl", defaultValue = "500", description = "SLA OSL of the decode sweep.")
        private int osl;
        @Option(names = "--max-concurrency", defaultValue = "2000", description = "Cap on a decode burst.")
        private int maxConcurrency;
        @Option(names = "--follow", description = "Repeat the sweep every --interval until Ctrl-C.")
        private boolean follow;
        @Option(names = "--interval", defaultValue = "PT15M", description = "Pause between sweeps (ISO-8601).")
        private Duration interval;
        @Option(names = "--focus", defaultValue = "4",
            description = "With --follow: after each sweep, re-measure this many buckets whose confidence intervals "
                + "are widest, read from the mapping-load-stats topic (0 = off).")
        private int focus;
        @Option(names = "--kv-capacity", paramLabel = "MAPPING=TOKENS", description = "KV capacity of one rank of "
            + "the decode engine of MAPPING, e.g. TP=2=426915, instead of reading its /metrics (repeatable).")
        private Map<String, Long> kvCapacity = new LinkedHashMap<>();
        @Option(names = "--engine-log", paramLabel = "MAPPING=FILE", description = "Start-up log of the decode "
            + "engine of MAPPING to read its KV capacity from (vLLM, SGLang or TRT-LLM wording; repeatable).")
        private Map<String, Path> engineLogs = new LinkedHashMap<>();

        /** The capacities the user gave, by mapping label; a log without a capacity line is an error naming it. */
        private Map<String, LoadDriver.Capacity> knownCapacities() throws IOException {
            final Map<String, LoadDriver.Capacity> out = new LinkedHashMap<>();
            for (final Map.Entry<String, Path> e : engineLogs.entrySet()) {
                final CapacityDiscovery.Finding f = CapacityDiscovery
                    .readLog(Files.readString(e.getValue()), CapacityDiscovery
                        .VLLM_DEFAULT_BLOCK_SIZE);
                if (!f.found()) {
                    throw new IllegalArgumentException("--engine-log " + e.getKey() + "=" + e.getValue() + ": "
                        + f.describe());
                }
                System.out.println("slaprof: KV capacity of " + e.getKey() + " from " + e.getValue() + ": "
                    + f.describe());
                out.put(Mappings.label(Mappings.parse(e.getKey())), new LoadDriver.Capacity(
                    f.tokensPerRank(), CapacitySource.LOG, f.rule() + ": " + f.evidence()));
            }
            for (final Map.Entry<String, Long> e : kvCapacity.entrySet()) {
                if (e.getValue() <= 0) {
                    throw new IllegalArgumentException("--kv-capacity " + e.getKey() + " must be > 0 tokens");
                }
                out.put(Mappings.label(Mappings.parse(e.getKey())), new LoadDriver.Capacity(
                    OptionalLong.of(e.getValue()), CapacitySource.CONFIG,
                    "--kv-capacity " + e.getKey() + "=" + e.getValue()));
            }
            return out;
        }

        @Override
        public Integer call() throws Exception {
            final Map<String, LoadDriver.Capacity> known = knownCapacities();
            final List<Endpoint> eps = new ArrayList<>();
            for (final String e : endpoints) {
                final String[] f = e.split(":", 3);
                if (f.length != 3) {
                    throw new IllegalArgumentException("--endpoint '" + e + "' is not ROLE:MAPPING:URL");
                }
                eps.add(new Endpoint(f[2], deployment.deployment(), role(f[0]), Mappings.parse(f[1]), false));
            }
            final SlaTarget sla = SlaTargets.of("default", 1.0, 1.0, isl, osl, Statistic.MEAN, 1, 1024, 1, false);
            final AtomicBoolean stop = new AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
            try (SamplePublisher publisher = new SamplePublisher(kafka.client(System.getenv()),
                     kafka.topics(System.getenv()));
                 BenchmarkWorker worker = new BenchmarkWorker(new HttpLoadDriver(
                     StreamingClient.create(Duration.ofMinutes(30), 1.0), known), publisher,
                     "worker-" + UUID.randomUUID(), System.nanoTime())) {
                final CompactedTopicReader<StatsKey,
                    MappingLoadStats> stats = follow && focus > 0
                    ? new CompactedTopicReader<>(kafka.client(System.getenv()),
                        kafka.topics(System.getenv()).stats().name(),
                        kafka.topics(System.getenv()).stats().keySerde().deserializer(),
                        kafka.topics(System.getenv()).stats().valueSerde().deserializer())
                    : null;
                do {
                    final Sweep sweep = new Sweep(worker, eps, sla, null, System.out, maxConcurrency);
                    sweep.parallelizationSweep();
                    if (stats != null) {
                        publisher.flush();
                        awaitCounted(stats, deployment.deployment(), publisher.profilingOk(), Duration.ofSeconds(30));
                        sweep.focus(stats.all().values(), focus);
                    }
                    publisher.flush();
                    System.out.println("slaprof: sweep done, " + publisher.sent() + " samples published");
                    final long until = System.nanoTime() + interval.toNanos();
                    while (follow && !stop.get() && System.nanoTime() < until) {
                        // Waiting out the interval between sweeps, checking for Ctrl-C every second.
                        Thread.sleep(1000);
                    }
                } while (follow && !stop.get());
                if (stats != null) {
                    stats.close();
                }
            }
            return 0;
        }
    }
}
