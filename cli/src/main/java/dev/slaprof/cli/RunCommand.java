package dev.slaprof.cli;

import dev.slaprof.dynamo.DgdrV1beta1;
import dev.slaprof.dynamo.ProfileConfig;
import dev.slaprof.profiler.CandidateMappings;
import dev.slaprof.profiler.EngineFleet;
import dev.slaprof.profiler.Pipeline;
import dev.slaprof.profiler.ProfilingRun;
import dev.slaprof.producer.DynamoResultsImporter;
import dev.slaprof.producer.SweepPlans;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.arch.ModelIndex;
import dev.slaprof.simulator.arch.Precision;
import dev.slaprof.simulator.arch.Quant;
import dev.slaprof.simulator.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    /** Decode burst cap with --engines http: the streams one 2-core machine drives over loopback. */
    static final int HTTP_MAX_CONCURRENCY = 128;

    @Option(names = "--model", defaultValue = "Qwen/Qwen3-32B", description = "Model: an id of the models folder "
        + "(config/models/models.yaml), or a folder or config.json path (its Hugging Face config).")
    private String model;
    @Option(names = "--models-dir", paramLabel = "DIR", description = "Models folder: <org>/<name>/config.json files "
        + "or a models.yaml naming them (default: the bundled config/models).")
    private Path modelsDir;
    @Option(names = "--weights", paramLabel = "QUANT", description = "Serve the weights at this precision instead of "
        + "the checkpoint's: bf16, fp8, fp8_block, nvfp4, mxfp4, int4_wo.")
    private String weights;
    @Option(names = "--kv-cache-dtype", paramLabel = "DTYPE", description = "KV-cache precision instead of the "
        + "checkpoint's: bf16 or fp8.")
    private String kvCacheDtype;
    @Option(names = "--backend", defaultValue = "vllm", description = "vllm, sglang or trtllm.")
    private String backend;
    @Option(names = "--gpu-type", defaultValue = "H200-SXM", description = "GPU SKU (config/gpus.yaml).")
    private String gpuType;
    @Mixin
    private SlaOptions slaOptions;
    @Option(names = "--min-num-gpus-per-engine", defaultValue = "1", description = "Smallest engine, GPUs.")
    private int minGpus;
    @Option(names = "--max-num-gpus-per-engine", defaultValue = "8", description = "Largest engine, GPUs.")
    private int maxGpus;
    @Option(names = "--num-gpus-per-node", defaultValue = "8",
        description = "GPUs per node of the target cluster: wider workers get a multinode DGD layout.")
    private int gpusPerNode;
    @Option(names = "--prefill-interpolation-granularity", defaultValue = "16", description = "Prefill ISL points.")
    private int prefillGranularity;
    @Option(names = "--decode-interpolation-granularity", defaultValue = "6",
        description = "Decode in-flight points per engine and context rows.")
    private int decodeGranularity;
    @Mixin
    private DynamoRequestOptions dynamo;
    @Option(names = "--output-dir", defaultValue = "slaprof-output", description = "Where output folders go.")
    private Path outputDir;
    @Option(names = "--engines", defaultValue = "virtual", description = {"virtual: simulated engines in virtual "
        + "time (a discrete-event simulation: exact, reproducible from --seed, no host noise);",
        "http: OpenAI-compatible simulated servers in scaled real time, measured over loopback HTTP (the real "
            + "client path; the run prints its error against the engines' own schedule);",
        "local: the backend's real servers, started by slaprof per candidate (see --gpus, --engine-python, "
            + "--engine-templates)."})
    private String engines;
    @Mixin
    private LocalEngineOptions local;
    @Option(names = "--jitter", defaultValue = "0.03",
        description = "Sigma of the simulated engines' lognormal jitter on every step (0 = the model exactly).")
    private double jitter;
    @Option(names = "--time-scale", defaultValue = "5",
        description = {"With --engines http: simulated model ms per wall ms; measurements are scaled back.",
            "5 keeps the measurement error's median within 3 % on a 2-core machine (docs/CALIBRATION.md)."})
    private double timeScale;
    @Option(names = "--max-concurrency", description = "Cap on a decode burst. Default: Dynamo's 2000 with virtual "
        + "engines; 128 with --engines http (the HTTP streams one 2-core machine drives).")
    private Integer maxConcurrency;
    @Option(names = "--seed", defaultValue = "100", description = "Seed of prompts and engine jitter.")
    private long seed;
    @Option(names = "--import-dynamo-results", paramLabel = "DIR",
        description = "Analyse an existing Dynamo profile_sla results directory instead of simulating.")
    private Path importDir;
    @Option(names = "--prefill-mapping", description = "Mapping of selected_prefill_interpolation/ when importing, "
        + "e.g. TP=1.")
    private String prefillMapping;
    @Option(names = "--decode-mapping", description = "Mapping of selected_decode_interpolation/ when importing.")
    private String decodeMapping;
    @Option(names = "--config", paramLabel = "FILE", description = {"A DynamoGraphDeploymentRequest YAML (its "
        + "spec.model, spec.backend and profilingConfig.config, camelCase or snake_case keys) or a scenario file.",
        "Precedence: flags > --config > --scenario > SLAPROF_* environment > defaults."})
    private Path configFile;
    @Option(names = "--scenario", description = "A scenario from config/scenarios/ (default, qwen3-8b-h100-chat, "
        + "llama-70b-b200-long, or your own file there).")
    private String scenario;
    @Option(names = "--follow", description = "Keep running after the sweep, re-profiling until Ctrl-C.")
    private boolean follow;
    @Option(names = "--follow-interval", defaultValue = "PT60S", description = "Pause between re-profiling rounds.")
    private Duration followInterval;
    @Option(names = "--follow-rounds", defaultValue = "0",
        description = "With --follow: stop after this many re-profiling rounds (0 = until Ctrl-C).")
    private int followRounds;

    @Option(names = "--focus", defaultValue = "4",
        description = "With --follow: after each sweep, re-measure this many buckets whose confidence intervals are "
            + "widest (0 = off).")
    private int focus;

    @Option(names = "--horizon", defaultValue = "none", converter = HorizonConverter.class,
        description = "With --follow: age out samples older than this (none, 90s, 30m, 6h, 7d), so a changed engine is "
            + "re-learned.")
    private Duration horizon;
    @Option(names = "--ui-port", defaultValue = "8377",
        description = "Port of the web UI and the REST API (0 = any free).")
    private int uiPort;
    @Mixin
    private HostOption bind;
    @picocli.CommandLine.Mixin
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
        final Backend be = parseBackend(backend);
        if (importDir != null && Files.isDirectory(importDir) && (slaOptions.isl == null || slaOptions.osl == null)) {
            // Imported results hold at their own sweep's lengths, not at a set of defaults.
            DynamoResultsImporter.sweepLoad(importDir).ifPresent(l -> {
                slaOptions.isl = slaOptions.isl != null ? slaOptions.isl : l[0];
                slaOptions.osl = slaOptions.osl != null ? slaOptions.osl : l[1];
            });
        }
        validate();
        final HttpSurface.Options http = security.resolve();
        AccessPolicy.checkBind(bind.host, http.access(), "web UI and REST API");
        final Statistic stat = slaOptions.statistic();
        final Catalog bundled = Catalog.bundled().forBackend(be.name());
        final Catalog known = modelsDir == null ? bundled : bundled.withModels(ModelIndex.of(modelsDir));
        // An import needs no performance model: any model and GPU name the results came from will do.
        final ModelSpec spec = importDir == null ? served(known.model(model)) : null;
        final Catalog catalog = spec == null ? known : known.with(spec);
        final String modelName = spec == null ? model : spec.name();
        final boolean real = "local".equalsIgnoreCase(engines);
        final String gpu = importDir != null ? gpuType : real && local.devices().isEmpty() ? "CPU"
            : catalog.gpu(gpuType).name();
        final PrintStream out = System.out;
        final long t0 = System.nanoTime();
        final Deployment deployment = new Deployment(modelName, be, "", gpu, importDir != null ? "import"
            : real ? "local" : "sim");
        final SlaTarget sla = profile();
        final List<Mapping> mappings = spec == null ? List.of() : CandidateMappings.of(spec, minGpus, maxGpus,
            dynamo.request().totalGpus(), out);
        out.printf(Locale.ROOT, "slaprof: profiling %s on %s (%s)%s, SLA TTFT %.1f ms ITL %.1f ms at ISL %d OSL %d "
            + "(%s; %s)%n", modelName, gpu, be.name().toLowerCase(Locale.ROOT),
            mappings.isEmpty() ? "" : ", mappings " + CandidateMappings.labels(mappings), slaOptions.ttftMs(), slaOptions.itlMs(),
            slaOptions.isl(), slaOptions.osl(), stat, slaOptions.source());
        out.println("slaprof: " + dynamo.request().describe(sla));
        final boolean guarded = http.access().tokens() != null || !AccessPolicy.isLoopbackHost(bind.host);
        new ProfilingRun(new ProfilingRun.Spec(catalog, spec, gpu, deployment, sla, mappings, engines,
            maxConcurrency != null ? maxConcurrency : "virtual".equalsIgnoreCase(engines)
                ? SweepPlans.DECODE_MAX_CONCURRENCY : HTTP_MAX_CONCURRENCY, jitter, seed, timeScale,
            real ? local.settings() : null, local.templates, backend, model, prefillGranularity, decodeGranularity,
            follow, followInterval, followRounds, focus, horizon, outputDir,
            new Pipeline.Http(bind.host, uiPort, http), gpusPerNode, guarded, importDir,
            prefillMapping == null ? null : Mappings.parse(prefillMapping),
            decodeMapping == null ? null : Mappings.parse(decodeMapping), Daemon.stopSignal())).run(out, t0);
        return 0;
    }

    /** The model at --weights / --kv-cache-dtype when given, else at its checkpoint's precision. */
    private ModelSpec served(final ModelSpec m) {
        final Precision p = m.precision();
        final Quant w = weights == null ? null : Quant.parse(weights);
        return m.withPrecision(new Precision(w != null ? w : p.gemm(), w != null ? w : p.moe(),
            kvCacheDtype == null ? p.kvBytes() : Precision.kvBytes(kvCacheDtype)));
    }

    /** The SLA profile of this run: the classic targets plus the Dynamo 1.x workload, budget, mode and dialect. */
    private SlaTarget profile() {
        return dynamo.request().applyTo(SlaTarget.newBuilder(slaOptions.target("default", minGpus, maxGpus, false)))
            .build();
    }

    private void validate() {
        dynamo.request().validate();
        slaOptions.validate();
        if (minGpus < 1 || minGpus > maxGpus) {
            throw new IllegalArgumentException("--min-num-gpus-per-engine " + minGpus
                + " must be >= 1 and <= --max-num-gpus-per-engine " + maxGpus);
        }
        if (followRounds < 0) {
            throw new IllegalArgumentException("--follow-rounds must be >= 0, got " + followRounds);
        }
        if (gpusPerNode < 1) {
            throw new IllegalArgumentException("--num-gpus-per-node must be >= 1, got " + gpusPerNode);
        }
        if (timeScale <= 0 || maxConcurrency != null && maxConcurrency < 1) {
            throw new IllegalArgumentException("--time-scale must be > 0 and --max-concurrency >= 1");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("--jitter must be in [0, 1), got " + jitter);
        }
        EngineFleet.Kind.parse(engines);
    }

    static Backend parseBackend(final String b) {
        return switch (b.toLowerCase(Locale.ROOT)) {
            case "vllm" -> Backend.VLLM;
            case "sglang" -> Backend.SGLANG;
            case "trtllm" -> Backend.TRTLLM;
            default -> throw new IllegalArgumentException("unknown backend '" + b + "' (vllm, sglang, trtllm)");
        };
    }
}
