package dev.slaprof.cli;

import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import java.util.Locale;
import picocli.CommandLine.Option;

/** What a producer is attached to: the deployment identity of its samples. */
final class DeploymentOptions {
    @Option(names = "--model", required = true, description = "Model id, e.g. Qwen/Qwen3-32B.")
    String model;
    @Option(names = "--backend", defaultValue = "vllm", description = "vllm, sglang or trtllm.")
    String backend;
    @Option(names = "--backend-version", defaultValue = "", description = "Engine release, e.g. 0.11.0.")
    String backendVersion;
    @Option(names = "--gpu-type", required = true, description = "GPU SKU, e.g. H200-SXM.")
    String gpuType;
    @Option(names = "--engine-version", defaultValue = "",
        description = "Your engine build/config version; a new value starts a fresh profile.")
    String engineVersion;

    Deployment deployment() {
        return new Deployment(model, parseBackend(backend), backendVersion, gpuType, engineVersion);
    }

    /** A backend named on the command line: vllm, sglang or trtllm, in any case. */
    static Backend parseBackend(final String b) {
        return switch (b.toLowerCase(Locale.ROOT)) {
            case "vllm" -> Backend.VLLM;
            case "sglang" -> Backend.SGLANG;
            case "trtllm" -> Backend.TRTLLM;
            default -> throw new IllegalArgumentException("unknown backend '" + b + "' (vllm, sglang, trtllm)");
        };
    }
}
