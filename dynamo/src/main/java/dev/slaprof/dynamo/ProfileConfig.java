package dev.slaprof.dynamo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Profiling settings from a DynamoGraphDeploymentRequest: {@code nvidia.com/v1beta1} typed fields
 * ({@link DgdrV1beta1}), or v1alpha1 ({@code spec.model}, {@code spec.backend}, {@code spec.profilingConfig.config}),
 * or a slaprof scenario file ({@code model}, {@code backend}, {@code gpu_type},
 * {@code config}). Config keys may be snake_case or camelCase, as Dynamo accepts both. The result maps each
 * {@code slaprof run} option name (without dashes) to its value; a malformed key fails naming the key.
 */
public final class ProfileConfig {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** config path (snake_case) -> run option. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("sla.isl", "isl");
        KEYS.put("sla.osl", "osl");
        KEYS.put("sla.ttft", "ttft");
        KEYS.put("sla.itl", "itl");
        KEYS.put("sla.statistic", "statistic");
        KEYS.put("hardware.min_num_gpus_per_engine", "min-num-gpus-per-engine");
        KEYS.put("hardware.max_num_gpus_per_engine", "max-num-gpus-per-engine");
        KEYS.put("hardware.num_gpus_per_node", "num-gpus-per-node");
        KEYS.put("sweep.prefill_interpolation_granularity", "prefill-interpolation-granularity");
        KEYS.put("sweep.decode_interpolation_granularity", "decode-interpolation-granularity");
        KEYS.put("output_dir", "output-dir");
        KEYS.put("deployment.model", "model");
        KEYS.put("engine.backend", "backend");
        KEYS.put("sweep.aic_system", "gpu-type");
    }

    private ProfileConfig() {
    }

    /** Settings of a file (DGDR or scenario). */
    public static Map<String, String> load(final Path file) {
        return loadWithWarnings(file).settings();
    }

    /** Settings of a file and the warnings about fields read but not used (a v1beta1 request). */
    public static DgdrV1beta1.Parsed loadWithWarnings(final Path file) {
        try {
            final JsonNode root = YAML.readTree(Files.readAllBytes(file));
            if (root != null && DgdrV1beta1.applies(root)) {
                return DgdrV1beta1.parse(root, file.toString());
            }
            return new DgdrV1beta1.Parsed(parse(root, file.toString()), List.of());
        } catch (final NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        } catch (final JsonProcessingException e) {
            final var at = e.getLocation();
            throw new IllegalArgumentException(file + " is not valid YAML" + (at == null ? "" : " at line "
                + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage().lines().findFirst()
                .orElse("").replaceAll(", got this instead: <org\\.yaml\\.snakeyaml[^>]*>", "").trim());
        } catch (final IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage().lines().findFirst()
                .orElse(""));
        }
    }

    /** Settings of a bundled scenario (config/scenarios/NAME.yaml). */
    public static Map<String, String> scenario(final String name) {
        try (InputStream in = ProfileConfig.class.getResourceAsStream("/slaprof/scenarios/" + name + ".yaml")) {
            if (in == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("unknown scenario '" + name + "' (files in config/scenarios/)");
            }
            return parse(YAML.readTree(in), "scenario " + name);
        } catch (final IOException e) {
            throw new IllegalArgumentException("cannot read scenario " + name + ": " + e.getMessage());
        }
    }

    public static Map<String, String> parse(final JsonNode root, final String where) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + ": not a YAML mapping");
        }
        final Map<String, String> out = new LinkedHashMap<>();
        final JsonNode top;
        final JsonNode config;
        if ("DynamoGraphDeploymentRequest".equals(root.path("kind").asText())) {
            top = root.path("spec");
            if (!top.isObject()) {
                throw new IllegalArgumentException(where + ": DynamoGraphDeploymentRequest without spec");
            }
            config = top.path("profilingConfig").path("config");
            // The old profiler's request: the SLA targets it leaves out take that profiler's defaults.
            out.put("sla-defaults", "v1alpha1");
        } else {
            top = root;
            config = root.path("config");
        }
        text(top, "model", where).ifPresent(v -> out.put("model", v));
        text(top, "backend", where).ifPresent(v -> out.put("backend", v));
        text(top, "gpu_type", where).ifPresent(v -> out.put("gpu-type", v));
        if (!config.isMissingNode() && !config.isObject()) {
            throw new IllegalArgumentException(where + ": profilingConfig.config must be a mapping");
        }
        for (final Map.Entry<String, String> k : KEYS.entrySet()) {
            final JsonNode v = find(config, k.getKey());
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isValueNode()) {
                throw new IllegalArgumentException(where + ": key " + k.getKey() + " must be a value, got " + v);
            }
            out.put(k.getValue(), v.asText());
        }
        return out;
    }

    private static Optional<String> text(final JsonNode n, final String key, final String where) {
        final JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(where + ": key " + key + " must be a value, got " + v);
        }
        return Optional.of(v.asText());
    }

    /** Looks a dotted snake_case path up, accepting camelCase spellings of each part. */
    private static JsonNode find(final JsonNode config, final String path) {
        JsonNode cur = config;
        for (final String part : path.split("\\.")) {
            if (cur == null || !cur.isObject()) {
                return null;
            }
            JsonNode next = cur.get(part);
            if (next == null) {
                next = cur.get(camel(part));
            }
            cur = next;
        }
        return cur;
    }

    public static String camel(final String snake) {
        final StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (final char c : snake.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }
}
