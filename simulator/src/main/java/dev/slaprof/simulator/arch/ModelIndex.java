package dev.slaprof.simulator.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slaprof.simulator.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The models slaprof knows by id: a models folder's {@code models.yaml} naming, per id, the folder holding its
 * config.json and optionally the precision it is served at. The bundled folder is {@code config/models} (inside the
 * jar as {@code /slaprof/models}); {@code --models-dir} points at another one. {@link #model} also takes a path to a
 * folder or a config.json.
 */
public final class ModelIndex {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCE = "/slaprof/models/";

    private final Path dir;
    private final Map<String, JsonNode> entries;

    private ModelIndex(final Path dir, final Map<String, JsonNode> entries) {
        this.dir = dir;
        this.entries = entries;
    }

    /** The bundled models. */
    public static ModelIndex bundled() {
        try (InputStream in = ModelIndex.class.getResourceAsStream(RESOURCE + "models.yaml")) {
            if (in == null) {
                throw new IllegalStateException("bundled models.yaml missing");
            }
            return new ModelIndex(null, entries(YAML.readTree(in), "bundled models.yaml"));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read the bundled models.yaml", e);
        }
    }

    /**
     * The models of {@code dir}: its models.yaml when present, else every {@code <org>/<name>/config.json} below it
     * under the id {@code <org>/<name>}.
     */
    public static ModelIndex of(final Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--models-dir " + dir + ": no such folder");
        }
        final Path yaml = dir.resolve("models.yaml");
        if (Files.isRegularFile(yaml)) {
            try {
                return new ModelIndex(dir, entries(YAML.readTree(yaml.toFile()), yaml.toString()));
            } catch (final IOException e) {
                throw new IllegalArgumentException(yaml + " is not valid YAML: " + e.getMessage(), e);
            }
        }
        final Map<String, JsonNode> found = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        try (var s = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals("config.json"))) {
            s.forEach(p -> {
                final String id = dir.relativize(p.getParent()).toString().replace('\\', '/');
                found.put(id, YAML.createObjectNode().put("config", id));
            });
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return new ModelIndex(dir, found);
    }

    private static Map<String, JsonNode> entries(final JsonNode root, final String source) {
        final Map<String, JsonNode> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final JsonNode models = root.path("models");
        if (!models.isObject()) {
            throw new IllegalArgumentException(source + ": missing 'models' map");
        }
        models.fields().forEachRemaining(e -> {
            if (!e.getValue().path("config").isTextual()) {
                throw new IllegalArgumentException(source + ": model " + e.getKey() + " has no 'config' folder");
            }
            m.put(e.getKey(), e.getValue());
        });
        return m;
    }

    /** Every model this index knows, one per id, in id order. */
    public List<ModelSpec> all() {
        return ids().stream().map(this::model).toList();
    }

    /** The ids this index knows. */
    public Set<String> ids() {
        return entries.keySet();
    }

    /**
     * The model {@code idOrPath}: an id of this index (case-insensitive; the part after '/' also matches), or a path
     * to a folder holding config.json or to a config.json file.
     */
    public ModelSpec model(final String idOrPath) {
        final Path asPath = Path.of(idOrPath);
        if (Files.isDirectory(asPath) || (idOrPath.endsWith(".json") && Files.exists(asPath))) {
            final Path folder = Files.isDirectory(asPath) ? asPath : asPath.toAbsolutePath().getParent();
            return HfConfig.read(asPath, folder.toAbsolutePath().normalize().getFileName().toString());
        }
        String id = entries.containsKey(idOrPath) ? idOrPath : null;
        if (id == null) {
            for (final String k : entries.keySet()) {
                if (k.substring(k.indexOf('/') + 1).equalsIgnoreCase(idOrPath)) {
                    id = k;
                }
            }
        }
        if (id == null) {
            throw new IllegalArgumentException("unknown model '" + idOrPath + "'; known: " + String.join(", ", ids())
                + " (or give a folder or config.json path, or --models-dir)");
        }
        final JsonNode e = entries.get(id);
        final String folder = e.path("config").asText();
        ModelSpec spec = dir != null ? HfConfig.read(dir.resolve(folder), canonical(id))
            : HfConfig.derive(RESOURCE + folder + "/config.json", resource(folder + "/config.json", true),
                resource(folder + "/hf_quant_config.json", false), canonical(id));
        if (e.has("weights") || e.has("kv_cache")) {
            final Precision p = spec.precision();
            final Quant w = e.has("weights") ? Quant.parse(e.path("weights").asText()) : null;
            spec = spec.withPrecision(new Precision(w != null ? w : p.gemm(), w != null ? w : p.moe(),
                e.has("kv_cache") ? Precision.kvBytes(e.path("kv_cache").asText()) : p.kvBytes()));
        }
        return spec;
    }

    private String canonical(final String id) {
        for (final String k : entries.keySet()) {
            if (k.equalsIgnoreCase(id)) {
                return k;
            }
        }
        return id;
    }

    private static JsonNode resource(final String path, final boolean required) {
        try (InputStream in = ModelIndex.class.getResourceAsStream(RESOURCE + path)) {
            if (in == null) {
                if (required) {
                    throw new IllegalStateException("bundled model file " + path + " missing");
                }
                return null;
            }
            return JSON.readTree(in);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read bundled " + path, e);
        }
    }
}
