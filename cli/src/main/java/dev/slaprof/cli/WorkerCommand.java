package dev.slaprof.cli;

import dev.slaprof.profiler.EngineGate;
import dev.slaprof.profiler.EngineTemplates;
import dev.slaprof.profiler.LocalEngines;
import dev.slaprof.profiler.WorkerSweeps;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.GivenCapacities;
import dev.slaprof.producer.LoadDriver;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Run Dynamo's parallelization sweep against live endpoints and publish every request.")
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    private KafkaOptions kafka;
    @Mixin
    private DeploymentOptions deployment;
    @Option(names = "--endpoint", paramLabel = "ROLE:MAPPING:URL",
        description = "An engine you started, e.g. prefill:TP=1:http://10.0.0.5:8000 (repeat for each engine).")
    private List<String> endpoints = new ArrayList<>();
    @Option(names = "--engines", paramLabel = "local", description = "local: start the backend's real servers here, "
        + "one per --candidate, instead of --endpoint (see --gpus, --engine-python, --engine-templates).")
    private String engines;
    @Option(names = "--candidate", paramLabel = "MAPPING", description = "With --engines local: a mapping to start "
        + "and sweep, e.g. TP=2 (repeatable).")
    private List<String> candidates = new ArrayList<>();
    @Option(names = "--model-path", paramLabel = "DIR|ID", description = "With --engines local: what the servers "
        + "load (default: --model).")
    private String modelPath;
    @Option(names = "--engine-log-dir", defaultValue = "slaprof-engine-logs", description = "With --engines local: "
        + "where each engine's log goes.")
    private Path engineLogDir;
    @Mixin
    private LocalEngineOptions local;
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
        + "the decode engine of MAPPING, e.g. TP=2=426915 or TP=2:426915, instead of reading its /metrics (repeatable).")
    private List<String> kvCapacity = new ArrayList<>();
    @Option(names = "--engine-log", paramLabel = "MAPPING=FILE", description = "Start-up log of the decode "
        + "engine of MAPPING to read its KV capacity from, e.g. TP=1=decode-0.log or TP=1:decode-0.log (vLLM, SGLang or "
        + "TRT-LLM wording; repeatable).")
    private List<String> engineLogs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        final Map<String, LoadDriver.Capacity> known = GivenCapacities.of(engineLogs, kvCapacity, System.out);
        final List<Endpoint> eps = new ArrayList<>();
        for (final String e : endpoints) {
            eps.add(Endpoint.parse(e, deployment.deployment()));
        }
        final boolean launch = "local".equalsIgnoreCase(engines);
        if (engines != null && !launch) {
            throw new IllegalArgumentException("unknown --engines '" + engines + "' (local)");
        }
        if (launch == !eps.isEmpty() || launch && candidates.isEmpty()) {
            throw new IllegalArgumentException(launch ? "--engines local needs --candidate MAPPING (repeatable), and "
                + "no --endpoint" : "give --endpoint ROLE:MAPPING:URL for each engine, or --engines local with "
                + "--candidate MAPPING");
        }
        // Before any engine starts: a cluster without slaprof's topics is one line, not a minute per sample.
        final Properties client = kafka.client();
        final Topics topics = kafka.topics();
        kafka.requireTopics(client, topics.samples().name(), topics.deadLetters().name());
        try (LocalEngines started = launch ? startLocal(eps, known) : null) {
            return sweep(eps, known, started == null ? EngineGate.OPEN : started, client, topics);
        }
    }

    /** Starts one real server per --candidate; each healthy one serves both roles, its KV capacity from its log. */
    private LocalEngines startLocal(final List<Endpoint> eps, final Map<String, LoadDriver.Capacity> known)
        throws IOException, InterruptedException {
        final List<Mapping> mappings = candidates.stream().map(Mappings::parse).toList();
        final LocalEngines started = LocalEngines.start(EngineTemplates.of(deployment.deployment().getBackend().name()
            .toLowerCase(Locale.ROOT), local.templates), local.settings(), modelPath != null ? modelPath
            : deployment.deployment().getModel(), deployment.deployment().getModel(), mappings, engineLogDir,
            System.out);
        for (final Role role : List.of(Role.PREFILL, Role.DECODE)) {
            started.candidates().forEach(e -> eps.add(new Endpoint(e.url(), deployment.deployment(), role,
                e.mapping(), false)));
        }
        started.recordCapacitiesIn(known);
        return started;
    }

    private int sweep(final List<Endpoint> eps, final Map<String, LoadDriver.Capacity> known, final EngineGate gate,
                      final Properties client, final Topics topics) throws Exception {
        // Ctrl-C opens the stop signal; its hook waits for this command to close (publisher flushed) before exit.
        new WorkerSweeps(eps, known, gate, isl, osl, maxConcurrency, follow ? interval : null, focus)
            .run(client, topics, deployment.deployment(), Daemon.stopSignal(), System.out);
        return 0;
    }
}
