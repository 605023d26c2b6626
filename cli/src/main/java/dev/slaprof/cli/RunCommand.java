package dev.slaprof.cli;

import dev.slaprof.dynamo.DgdrV1beta1;
import dev.slaprof.dynamo.ProfileConfig;
import dev.slaprof.profiler.CandidateMappings;
import dev.slaprof.profiler.Pipeline;
import dev.slaprof.profiler.ProfilingRun;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.HostGuard;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slaprof run}: the main job on the embedded default. */
@Command(name = "run", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Profile a simulated deployment end to end on one machine: embedded Kafka and schema registry,",
        "simulated engines, benchmark workers (Dynamo's sweep), the Streams topology and the output files."})
final class RunCommand implements Callable<Integer>, Settings.Layered {
    @Mixin
    private ServedModelOptions served;
    @Mixin
    private EngineOptions engine;
    @Mixin
    private FollowOptions following;
    @Option(names = "--gpu-type", defaultValue = "H200-SXM", description = "GPU SKU (config/gpus.yaml).")
    private String gpuType;
    @Mixin
    private SlaOptions slaOptions;
    @Mixin
    private SweepOptions sweep;
    @Mixin
    private ImportOptions imported;
    @Mixin
    private DynamoRequestOptions dynamo;
    @Option(names = "--output-dir", defaultValue = "slaprof-output", description = "Where output folders go.")
    private Path outputDir;
    @Option(names = "--config", paramLabel = "FILE", description = {"A DynamoGraphDeploymentRequest YAML (its "
        + "spec.model, spec.backend and profilingConfig.config, camelCase or snake_case keys) or a scenario file.",
        "Precedence: flags > --config > --scenario > SLAPROF_* environment > defaults."})
    private Path configFile;
    @Option(names = "--scenario", description = "A scenario from config/scenarios/ (default, qwen3-8b-h100-chat, "
        + "llama-70b-b200-long, or your own file there).")
    private String scenario;
    @Option(names = "--ui-port", defaultValue = "8377",
        description = "Port of the web UI and the REST API (0 = any free).")
    private int uiPort;
    @Mixin
    private HostOption bind;
    @Mixin
    private HttpSecurityOptions security;
    @Mixin
    private VerboseOption verbose;

    @Spec
    private CommandSpec spec;

    /** Fills every option not given on the command line from the files and the environment ({@link Settings}). */
    void applySettings(final Map<String, String> env) {
        Settings.apply(spec, env);
    }

    /** The files of this run, the strongest first: the DGDR or profile YAML of --config, then the --scenario. */
    @Override
    public List<Settings.Layer> layers() {
        final List<Settings.Layer> out = new ArrayList<>();
        if (configFile != null) {
            final DgdrV1beta1.Parsed loaded = ProfileConfig.loadWithWarnings(configFile);
            loaded.warnings().forEach(w -> System.out.println("slaprof: WARNING " + w));
            out.add(new Settings.Layer("--config " + configFile, loaded.settings()));
        }
        if (scenario != null) {
            out.add(new Settings.Layer("--scenario " + scenario, ProfileConfig.scenario(scenario)));
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        final Backend be = DeploymentOptions.parseBackend(served.backend);
        imported.defaultLengths(slaOptions);
        validate();
        final HttpSurface.Options http = security.resolve();
        AccessPolicy.checkBind(bind.host, http.access(), "web UI and REST API");
        final Statistic stat = slaOptions.statistic();
        final Catalog known = served.catalog(be.name());
        // An import needs no performance model: any model and GPU name the results came from will do.
        final ModelSpec spec = imported.importDir == null ? served.served(known) : null;
        final Catalog catalog = spec == null ? known : known.with(spec);
        final String modelName = spec == null ? served.model : spec.name();
        final boolean real = engine.local();
        final String gpu = imported.importDir != null ? gpuType : real && engine.local.devices().isEmpty() ? "CPU"
            : catalog.gpu(gpuType).name();
        final PrintStream out = System.out;
        final long t0 = System.nanoTime();
        final Deployment deployment = new Deployment(modelName, be, "", gpu, imported.importDir != null ? "import"
            : real ? "local" : "sim");
        final SlaTarget sla = profile();
        final List<Mapping> mappings = spec == null ? List.of()
            : CandidateMappings.of(spec, sweep.minGpus, sweep.maxGpus, dynamo.request().totalGpus(), out);
        out.printf(Locale.ROOT, "slaprof: profiling %s on %s (%s)%s, SLA TTFT %.1f ms ITL %.1f ms at ISL %d OSL %d "
            + "(%s; %s)%n", modelName, gpu, be.name().toLowerCase(Locale.ROOT),
            mappings.isEmpty() ? "" : ", mappings " + CandidateMappings.labels(mappings), slaOptions.ttftMs(), slaOptions.itlMs(),
            slaOptions.isl(), slaOptions.osl(), stat, slaOptions.source());
        out.println("slaprof: " + dynamo.request().describe(sla));
        final boolean guarded = http.access().tokens() != null || !HostGuard.isLoopbackHost(bind.host);
        new ProfilingRun(new ProfilingRun.Spec(catalog, spec, gpu, deployment, sla, mappings, engine.engines,
            engine.decodeCap(), engine.jitter, engine.seed, engine.timeScale, real ? engine.local.settings() : null,
            engine.local.templates, served.backend, served.model, sweep.prefillGranularity, sweep.decodeGranularity,
            following.follow, following.followInterval, following.followRounds, following.focus, following.horizon,
            outputDir,
            new Pipeline.Http(bind.host, uiPort, http), sweep.gpusPerNode, guarded, imported.importDir,
            imported.prefill(), imported.decode(), Daemon.stopSignal())).run(out, t0);
        return 0;
    }

    /** The SLA profile of this run: the classic targets plus the Dynamo 1.x workload, budget, mode and dialect. */
    private SlaTarget profile() {
        return dynamo.request().applyTo(SlaTarget.newBuilder(slaOptions.target("default", sweep.minGpus,
            sweep.maxGpus, false))).build();
    }

    private void validate() {
        dynamo.request().validate();
        slaOptions.validate();
        sweep.validate();
        following.validate();
        engine.validate();
    }
}
