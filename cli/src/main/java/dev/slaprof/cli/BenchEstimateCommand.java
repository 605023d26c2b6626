package dev.slaprof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.bench.EstimateVsAic;
import dev.slaprof.profiler.CandidateMappings;
import dev.slaprof.profiler.ProfilingRun;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof bench-estimate}: slaprof's fast estimate beside AI Configurator's, in one invocation. It runs a
 * virtual-time profiling run ({@link ProfilingRun}, jitter 0, so each point is the performance model's own), then
 * asks the installed AI Configurator for the same points ({@link EstimateVsAic}), and prints both wall times, the
 * points side by side and each side's picks under Dynamo's rule, and writes the table as JSON.
 */
@Command(name = "bench-estimate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "slaprof's virtual-time estimate beside AI Configurator's (the pinned peer): wall times, TTFT, ITL "
        + "and thpt/GPU per mapping at the same points, and the picks of each.")
final class BenchEstimateCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "Qwen/Qwen3-32B", description = "Model id of config/models/models.yaml.")
    private String model;
    @Option(names = "--gpu-type", defaultValue = "H200-SXM", description = "GPU SKU (config/gpus.yaml).")
    private String gpuType;
    @Option(names = "--backends", defaultValue = "vllm,sglang,trtllm", split = ",", description = "AIC backends to "
        + "ask (slaprof's run is made with the first's engine parameters).")
    private List<String> backends;
    @Mixin
    private SlaOptions sla;
    @Option(names = "--max-num-gpus-per-engine", defaultValue = "8", description = "Largest engine, GPUs.")
    private int maxGpus;
    @Mixin
    private PeersPythonOption peersPython;
    @Option(names = "--out", defaultValue = "target/bench-estimate.json", description = "The table as JSON.")
    private Path outFile;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        sla.validate();
        final Path python = peersPython.resolve();
        final Path dir = Files.createTempDirectory("bench-estimate-");
        final String backend = backends.get(0);
        final Backend be = DeploymentOptions.parseBackend(backend);
        final Catalog base = Catalog.bundled().forBackend(be.name());
        final ModelSpec spec = base.model(model);
        final Catalog catalog = base.with(spec);
        final String gpu = catalog.gpu(gpuType).name();
        final List<Mapping> mappings = CandidateMappings.of(spec, 1, maxGpus, 0, out);
        out.printf(Locale.ROOT, "bench-estimate: slaprof run (virtual time, jitter 0) for %s on %s, %s; mappings %s%n",
            model, gpu, backend, CandidateMappings.labels(mappings));
        final long t0 = System.nanoTime();
        final Recommendation rec = new ProfilingRun(ProfilingRun.Spec.virtualEstimate(catalog, spec, gpu,
            new Deployment(spec.name(), be, "", gpu, "sim"), sla.target("default", 1, maxGpus, false), mappings,
            dir.resolve("out"))).run(out, t0);
        final double slaprofWall = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "bench-estimate: slaprof done in %.1f s; asking AI Configurator (%s)%n", slaprofWall,
            String.join(", ", backends));
        final EstimateVsAic bench = new EstimateVsAic(model, gpuType, sla.isl(), sla.osl(), sla.ttftMs(),
            sla.itlMs());
        final ObjectNode report = bench.compare(rec, slaprofWall, String.format(Locale.ROOT, "slaprof run --model %s "
                + "--gpu-type %s --backend %s --isl %d --osl %d --ttft %s --itl %s --max-num-gpus-per-engine %d "
                + "--jitter 0", model, gpuType, backend, sla.isl(), sla.osl(), sla.ttftMs(), sla.itlMs(), maxGpus),
            python, backends, dir);
        EstimateVsAic.print(out, report, backends);
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        Files.writeString(outFile, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.println("bench-estimate: wrote " + outFile);
        return 0;
    }
}
