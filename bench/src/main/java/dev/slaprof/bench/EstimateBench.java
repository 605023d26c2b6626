package dev.slaprof.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.profiler.CandidateMappings;
import dev.slaprof.profiler.ProfilingRun;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code slaprof bench-estimate}'s work: a virtual-time profiling run ({@link ProfilingRun}, jitter 0, so each point
 * is the performance model's own) timed beside AI Configurator's estimate of the same points ({@link EstimateVsAic}),
 * printed and written as JSON.
 *
 * @param model    slaprof's model id
 * @param gpuType  slaprof's GPU name
 * @param backends the AIC backends asked; slaprof's run uses the first's engine parameters
 * @param maxGpus  the largest engine, GPUs
 */
public record EstimateBench(String model, String gpuType, List<String> backends, int maxGpus) {
    /** Runs both under {@code sla} (the first backend parsed as {@code backend}), writes {@code outFile}. */
    public ObjectNode run(final Backend backend, final SlaTarget sla, final Path python, final Path outFile,
                          final PrintStream out) throws Exception {
        final Path dir = Files.createTempDirectory("bench-estimate-");
        final Catalog base = Catalog.bundled().forBackend(backend.name());
        final ModelSpec spec = base.model(model);
        final Catalog catalog = base.with(spec);
        final String gpu = catalog.gpu(gpuType).name();
        final List<Mapping> mappings = CandidateMappings.of(spec, 1, maxGpus, 0, out);
        out.printf(Locale.ROOT, "bench-estimate: slaprof run (virtual time, jitter 0) for %s on %s, %s; mappings %s%n",
            model, gpu, backends.get(0), CandidateMappings.labels(mappings));
        final long t0 = System.nanoTime();
        final Recommendation rec = new ProfilingRun(ProfilingRun.Spec.virtualEstimate(catalog, spec, gpu,
            new Deployment(spec.name(), backend, "", gpu, "sim"), sla, mappings, dir.resolve("out"))).run(out, t0);
        final double slaprofWall = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "bench-estimate: slaprof done in %.1f s; asking AI Configurator (%s)%n", slaprofWall,
            String.join(", ", backends));
        final EstimateVsAic bench = new EstimateVsAic(model, gpuType, sla.getIsl(), sla.getOsl(), sla.getTtftMs(),
            sla.getItlMs());
        final ObjectNode report = bench.compare(rec, slaprofWall, String.format(Locale.ROOT, "slaprof run --model %s "
                + "--gpu-type %s --backend %s --isl %d --osl %d --ttft %s --itl %s --max-num-gpus-per-engine %d "
                + "--jitter 0", model, gpuType, backends.get(0), sla.getIsl(), sla.getOsl(), sla.getTtftMs(),
            sla.getItlMs(), maxGpus), python, backends, dir);
        EstimateVsAic.print(out, report, backends);
        if (outFile.toAbsolutePath().getParent() != null) {
            Files.createDirectories(outFile.toAbsolutePath().getParent());
        }
        Files.writeString(outFile, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.println("bench-estimate: wrote " + outFile);
        return report;
    }
}
