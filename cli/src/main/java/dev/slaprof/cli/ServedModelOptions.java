package dev.slaprof.cli;

import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.ModelSpec;
import dev.slaprof.simulator.arch.ModelIndex;
import dev.slaprof.simulator.arch.Precision;
import dev.slaprof.simulator.arch.Quant;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model a run profiles, where its config comes from, the precision it is served at, and the backend. */
final class ServedModelOptions {
    @Option(names = "--model", defaultValue = "Qwen/Qwen3-32B", description = "Model: an id of the models folder "
        + "(config/models/models.yaml), or a folder or config.json path (its Hugging Face config).")
    String model;
    @Option(names = "--models-dir", paramLabel = "DIR", description = "Models folder: <org>/<name>/config.json files "
        + "or a models.yaml naming them (default: the bundled config/models).")
    Path modelsDir;
    @Option(names = "--weights", paramLabel = "QUANT", description = "Serve the weights at this precision instead of "
        + "the checkpoint's: bf16, fp8, fp8_block, nvfp4, mxfp4, int4_wo.")
    String weights;
    @Option(names = "--kv-cache-dtype", paramLabel = "DTYPE", description = "KV-cache precision instead of the "
        + "checkpoint's: bf16 or fp8.")
    String kvCacheDtype;
    @Option(names = "--backend", defaultValue = "vllm", description = "vllm, sglang or trtllm.")
    String backend;

    /** The bundled catalog for the backend, with the models of --models-dir when given. */
    Catalog catalog(final String backendName) {
        final Catalog bundled = Catalog.bundled().forBackend(backendName);
        return modelsDir == null ? bundled : bundled.withModels(ModelIndex.of(modelsDir));
    }

    /** The model at --weights / --kv-cache-dtype when given, else at its checkpoint's precision. */
    ModelSpec served(final Catalog known) {
        final ModelSpec m = known.model(model);
        final Precision p = m.precision();
        final Quant w = weights == null ? null : Quant.parse(weights);
        return m.withPrecision(new Precision(w != null ? w : p.gemm(), w != null ? w : p.moe(),
            kvCacheDtype == null ? p.kvBytes() : Precision.kvBytes(kvCacheDtype)));
    }
}
