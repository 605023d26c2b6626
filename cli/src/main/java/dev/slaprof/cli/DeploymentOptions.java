package dev.slaprof.cli;

import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Role;
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
        return new Deployment(model, RunCommand.parseBackend(backend), backendVersion, gpuType, engineVersion);
    }

    /** A role named on the command line: prefill, decode or aggregated, in any case. */
    static Role role(final String r) {
        try {
            return Role.valueOf(r.toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + r + "' (prefill, decode, aggregated)");
        }
    }
}
