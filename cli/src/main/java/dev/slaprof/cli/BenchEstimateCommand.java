package dev.slaprof.cli;

import dev.slaprof.bench.EstimateBench;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slaprof bench-estimate}: slaprof's fast estimate beside AI Configurator's, in one invocation. It runs a
 * virtual-time profiling run (jitter 0, so each point is the performance model's own), then asks the installed AI
 * Configurator for the same points, and prints both wall times, the points side by side and each side's picks under
 * Dynamo's rule, and writes the table as JSON ({@link EstimateBench}).
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
        new EstimateBench(model, gpuType, backends, maxGpus).run(DeploymentOptions.parseBackend(backends.get(0)),
            sla.target("default", 1, maxGpus, false), peersPython.resolve(), outFile, System.out);
        return 0;
    }
}
