package dev.slaprof.cli;

import picocli.CommandLine.Option;

/** The sweep's engine sizes, the target cluster's node size, and the interpolation sweeps' granularities. */
final class SweepOptions {
    @Option(names = "--min-num-gpus-per-engine", defaultValue = "1", description = "Smallest engine, GPUs.")
    int minGpus;
    @Option(names = "--max-num-gpus-per-engine", defaultValue = "8", description = "Largest engine, GPUs.")
    int maxGpus;
    @Option(names = "--num-gpus-per-node", defaultValue = "8",
        description = "GPUs per node of the target cluster: wider workers get a multinode DGD layout.")
    int gpusPerNode;
    @Option(names = "--prefill-interpolation-granularity", defaultValue = "16", description = "Prefill ISL points.")
    int prefillGranularity;
    @Option(names = "--decode-interpolation-granularity", defaultValue = "6",
        description = "Decode in-flight points per engine and context rows.")
    int decodeGranularity;

    void validate() {
        if (minGpus < 1 || minGpus > maxGpus) {
            throw new IllegalArgumentException("--min-num-gpus-per-engine " + minGpus
                + " must be >= 1 and <= --max-num-gpus-per-engine " + maxGpus);
        }
        if (gpusPerNode < 1) {
            throw new IllegalArgumentException("--num-gpus-per-node must be >= 1, got " + gpusPerNode);
        }
    }
}
