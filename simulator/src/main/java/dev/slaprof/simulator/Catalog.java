package dev.slaprof.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slaprof.simulator.arch.ModelIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models, GPUs and performance-model parameters: models from a models folder ({@link ModelIndex}: config/models,
 * Hugging Face config.json files), GPUs from config/gpus.yaml, the fitted constants from config/perf-model.yaml
 * (bundled defaults) or from a user's directory holding files of the same names (and a {@code models/} folder).
 */
public final class Catalog {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The backend whose constants {@link #params()} gives unless {@link #forBackend} chose another. */
    public static final String DEFAULT_BACKEND = "vllm";

    private final ModelIndex models;
    private final Map<String, GpuSpec> gpus;
    private final JsonNode perf;
    private final String backend;
    private final Map<String, ModelSpec> extra;
    /** The merged constants by backend and generation, computed once each (a replay asks per row). */
    private final Map<String, PerfParams> merged = new ConcurrentHashMap<>();

    private Catalog(final ModelIndex models, final Map<String, GpuSpec> gpus, final JsonNode perf,
                    final String backend) {
        this(models, gpus, perf, backend, Map.of());
    }

    private Catalog(final ModelIndex models, final Map<String, GpuSpec> gpus, final JsonNode perf,
                    final String backend, final Map<String, ModelSpec> extra) {
        this.extra = extra;
        this.models = models;
        this.gpus = gpus;
        this.perf = perf;
        this.backend = backend;
        params(backend);
    }

    /** The bundled catalog. */
    public static Catalog bundled() {
        return load(null);
    }

    /** Catalog from {@code dir} (files absent there, and a missing {@code models/} folder, fall back to the bundled). */
    public static Catalog load(final Path dir) {
        final JsonNode g = read(dir, "gpus.yaml").path("gpus");
        final Map<String, GpuSpec> gpus = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        try {
            for (final var it = g.fields(); it.hasNext();) {
                final var e = it.next();
                gpus.put(e.getKey(), YAML.treeToValue(e.getValue(), GpuSpec.class).named(e.getKey()));
            }
        } catch (final IOException e) {
            throw new IllegalArgumentException("bad gpus.yaml: " + e.getMessage(), e);
        }
        final ModelIndex models = dir != null && Files.isDirectory(dir.resolve("models"))
            ? ModelIndex.of(dir.resolve("models")) : ModelIndex.bundled();
        return new Catalog(models, gpus, read(dir, "perf-model.yaml"), DEFAULT_BACKEND);
    }

    /** This catalog with the models of {@code index} (--models-dir). */
    public Catalog withModels(final ModelIndex index) {
        return new Catalog(index, gpus, perf, backend, extra);
    }

    /** This catalog knowing {@code spec} by its name too (a model read from a path). */
    public Catalog with(final ModelSpec spec) {
        final Map<String, ModelSpec> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        m.putAll(extra);
        m.put(spec.name(), spec);
        return new Catalog(models, gpus, perf, backend, m);
    }

    /** This catalog whose {@link #params()} are {@code backendName}'s (vllm, sglang, trtllm). */
    public Catalog forBackend(final String backendName) {
        return new Catalog(models, gpus, perf, backendName.toLowerCase(Locale.ROOT), extra);
    }

    private static JsonNode read(final Path dir, final String file) {
        try {
            if (dir != null && Files.exists(dir.resolve(file))) {
                return YAML.readTree(dir.resolve(file).toFile());
            }
            try (InputStream in = Catalog.class.getResourceAsStream("/slaprof/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("bundled " + file + " missing");
                }
                return YAML.readTree(in);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A model by id (case-insensitive; the part after '/' also matches), or a folder or config.json path. */
    public ModelSpec model(final String name) {
        final ModelSpec known = extra.get(name);
        return known != null ? known : models.model(name);
    }

    /** The model index. */
    public ModelIndex models() {
        return models;
    }

    /** A GPU by SKU (case-insensitive; '_' and '-' are equivalent, and a trailing -SXM may be left out). */
    public GpuSpec gpu(final String name) {
        final String norm = name.replace('_', '-').toUpperCase(Locale.ROOT);
        for (final GpuSpec g : gpus.values()) {
            final String known = g.name().toUpperCase(Locale.ROOT);
            if (known.equals(norm) || (known + "-SXM").equals(norm) || known.equals(norm + "-SXM")) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown GPU type '" + name + "'; known: " + gpus.keySet());
    }

    /** The fitted constants of this catalog's backend, for no GPU generation in particular. */
    public PerfParams params() {
        return params(backend);
    }

    /** The fitted constants of this catalog's backend on {@code gpu}'s generation. */
    public PerfParams params(final GpuSpec gpu) {
        return params(backend, gpu.generation());
    }

    /** {@link #params(String, String)} for no generation in particular. */
    public PerfParams params(final String backendName) {
        return params(backendName, "");
    }

    /**
     * The fitted constants of {@code backendName} on GPUs of {@code generation}: perf-model.yaml's top-level values,
     * overridden by its {@code backends.<name>} entry, overridden by that entry's {@code generations.<generation>}
     * (an absent entry overrides nothing).
     */
    public PerfParams params(final String backendName, final String generation) {
        return merged.computeIfAbsent(backendName.toLowerCase(Locale.ROOT) + "/" + (generation == null ? ""
            : generation.toLowerCase(Locale.ROOT)), k -> merge(backendName, generation));
    }

    private PerfParams merge(final String backendName, final String generation) {
        final ObjectNode merged = ((ObjectNode) perf).deepCopy();
        merged.remove("backends");
        final JsonNode over = perf.path("backends").path(backendName.toLowerCase(Locale.ROOT));
        if (over.isObject()) {
            final ObjectNode b = ((ObjectNode) over).deepCopy();
            b.remove("generations");
            merged.setAll(b);
            final JsonNode gen = over.path("generations").path(generation == null ? ""
                : generation.toLowerCase(Locale.ROOT));
            if (gen.isObject()) {
                merged.setAll((ObjectNode) gen);
            }
        }
        try {
            return YAML.treeToValue(merged, PerfParams.class);
        } catch (final IOException e) {
            throw new IllegalArgumentException("bad perf-model.yaml: " + e.getMessage(), e);
        }
    }

    public Map<String, GpuSpec> gpus() {
        return gpus;
    }
}
