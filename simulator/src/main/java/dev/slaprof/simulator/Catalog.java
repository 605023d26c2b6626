package dev.slaprof.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Models, GPUs and performance-model parameters, read from config/models.yaml, config/gpus.yaml and
 * config/perf-model.yaml (bundled defaults) or from a user's directory holding files of the same names.
 */
public final class Catalog {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, ModelSpec> models;
    private final Map<String, GpuSpec> gpus;
    private final PerfParams params;

    private Catalog(final Map<String, ModelSpec> models, final Map<String, GpuSpec> gpus, final PerfParams params) {
        this.models = models;
        this.gpus = gpus;
        this.params = params;
    }

    /** The bundled catalog. */
    public static Catalog bundled() {
        return load(null);
    }

    /** Catalog from {@code dir} (files absent there fall back to the bundled ones). */
    public static Catalog load(final Path dir) {
        final JsonNode m = read(dir, "models.yaml").path("models");
        final JsonNode g = read(dir, "gpus.yaml").path("gpus");
        final Map<String, ModelSpec> models = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final Map<String, GpuSpec> gpus = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        try {
            for (final var it = m.fields(); it.hasNext();) {
                final var e = it.next();
                models.put(e.getKey(), YAML.treeToValue(e.getValue(), ModelSpec.class).named(e.getKey()));
            }
            for (final var it = g.fields(); it.hasNext();) {
                final var e = it.next();
                gpus.put(e.getKey(), YAML.treeToValue(e.getValue(), GpuSpec.class).named(e.getKey()));
            }
            return new Catalog(models, gpus, YAML.treeToValue(read(dir, "perf-model.yaml"), PerfParams.class));
        } catch (final IOException e) {
            throw new IllegalArgumentException("bad catalog file: " + e.getMessage(), e);
        }
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

    /** A model by id (case-insensitive; the part after '/' also matches). */
    public ModelSpec model(final String name) {
        final ModelSpec direct = models.get(name);
        if (direct != null) {
            return direct;
        }
        for (final ModelSpec s : models.values()) {
            final String shortName = s.name().substring(s.name().indexOf('/') + 1);
            if (shortName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; known: " + models.keySet());
    }

    /** A GPU by SKU (case-insensitive; '_' and '-' are equivalent, e.g. h200_sxm). */
    public GpuSpec gpu(final String name) {
        final String norm = name.replace('_', '-').toUpperCase(Locale.ROOT);
        for (final GpuSpec g : gpus.values()) {
            if (g.name().toUpperCase(Locale.ROOT).equals(norm)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown GPU type '" + name + "'; known: " + gpus.keySet());
    }

    public PerfParams params() {
        return params;
    }

    public Map<String, ModelSpec> models() {
        return models;
    }

    public Map<String, GpuSpec> gpus() {
        return gpus;
    }
}
