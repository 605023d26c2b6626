package dev.slaprof.profiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-backend command templates of {@code --engines local} (config/engines/engines.yaml, bundled; a file given
 * with {@code --engine-templates} replaces the backends it names). A template is an argv with {@code {name}}
 * placeholders, the arguments and environment added on GPUs or on CPU, and the health path.
 */
public final class EngineTemplates {
    /** One backend's template. */
    public record Template(String backend, List<String> command, List<String> gpuArgs, List<String> cpuArgs,
                    Map<String, String> env, Map<String, String> cpuEnv, String health) {
        /** The argv with every placeholder replaced; an unknown placeholder is an error naming it. */
        public List<String> argv(final Map<String, String> values, final boolean cpu) {
            final List<String> out = new ArrayList<>();
            for (final String a : command) {
                out.add(fill(a, values));
            }
            for (final String a : cpu ? cpuArgs : gpuArgs) {
                out.add(fill(a, values));
            }
            return out;
        }

        /** The environment to add, placeholders replaced. */
        public Map<String, String> environment(final Map<String, String> values, final boolean cpu) {
            final Map<String, String> out = new LinkedHashMap<>();
            env.forEach((k, v) -> out.put(k, fill(v, values)));
            if (cpu) {
                cpuEnv.forEach((k, v) -> out.put(k, fill(v, values)));
            }
            return out;
        }

        private String fill(final String s, final Map<String, String> values) {
            final Matcher m = PLACEHOLDER.matcher(s);
            final StringBuilder sb = new StringBuilder();
            while (m.find()) {
                final String v = values.get(m.group(1));
                if (v == null) {
                    throw new IllegalArgumentException("engine template of " + backend + ": unknown placeholder {"
                        + m.group(1) + "} (known: " + String.join(", ", values.keySet()) + ")");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            return sb.toString();
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private EngineTemplates() {
    }

    /** The template of {@code backend}: from {@code overrides} when it names it, else the bundled one. */
    public static Template of(final String backend, final Path overrides) {
        if (overrides != null) {
            final JsonNode root = read(overrides);
            if (root.has(backend)) {
                return parse(backend, root.get(backend), overrides.toString());
            }
        }
        try (InputStream in = EngineTemplates.class.getResourceAsStream("/slaprof/engines/engines.yaml")) {
            if (in == null) {
                throw new IllegalStateException("the bundled engine templates are missing from the jar");
            }
            final JsonNode root = YAML.readTree(in);
            if (!root.has(backend)) {
                throw new IllegalArgumentException("no engine template for backend '" + backend + "' (known: "
                    + String.join(", ", names(root)) + ")");
            }
            return parse(backend, root.get(backend), "config/engines/engines.yaml");
        } catch (final IOException e) {
            throw new IllegalStateException("cannot read the bundled engine templates: " + e.getMessage(), e);
        }
    }

    private static JsonNode read(final Path file) {
        try {
            final JsonNode n = YAML.readTree(Files.readAllBytes(file));
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(file + ": not a YAML mapping of backend -> template");
            }
            return n;
        } catch (final java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        } catch (final IOException e) {
            throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage().lines().findFirst()
                .orElse(""));
        }
    }

    private static Template parse(final String backend, final JsonNode n, final String where) {
        final List<String> command = strings(n.path("command"), where + ": " + backend + ".command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException(where + ": " + backend + ".command must be a non-empty list");
        }
        return new Template(backend, command, strings(n.path("gpu_args"), where), strings(n.path("cpu_args"), where),
            map(n.path("env"), where), map(n.path("cpu_env"), where), n.path("health").asText("/health"));
    }

    private static List<String> strings(final JsonNode n, final String where) {
        final List<String> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(where + ": expected a list of strings, got " + n);
        }
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static Map<String, String> map(final JsonNode n, final String where) {
        final Map<String, String> out = new LinkedHashMap<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + ": expected a mapping of variable -> value, got " + n);
        }
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static List<String> names(final JsonNode root) {
        final List<String> out = new ArrayList<>();
        for (final Iterator<String> it = root.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }
}
