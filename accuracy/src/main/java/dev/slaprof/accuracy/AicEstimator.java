package dev.slaprof.accuracy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The installed AI Configurator, asked through {@code aic_estimate.py} (bundled): one process per request, the
 * points of one model, system and backend, answered as JSON. Where to find its Python: an explicit path, else
 * {@code SLAPROF_PEERS_PYTHON}, else {@code .peers/venv/bin/python} (what {@code .ci/run} installs).
 */
public final class AicEstimator {
    /** slaprof's GPU names and AI Configurator's system names, for the GPUs both know. */
    public static final Map<String, String> SYSTEMS = Map.of("H200-SXM", "h200_sxm", "H100-SXM", "h100_sxm",
        "B200", "b200_sxm", "A100-80GB", "a100_sxm");
    /** slaprof's model ids where AI Configurator's differ. */
    public static final Map<String, String> MODELS = Map.of("meta-llama/Llama-3.1-70B", "meta-llama/Meta-Llama-3.1-70B");
    private static final ObjectMapper JSON = new ObjectMapper();

    private AicEstimator() {
    }

    /** AIC's system for a slaprof GPU, or a clear refusal. */
    public static String system(final String gpuType) {
        final String s = SYSTEMS.get(gpuType);
        if (s == null) {
            throw new IllegalArgumentException("AI Configurator has no system for GPU " + gpuType + "; slaprof maps "
                + new TreeSet<>(SYSTEMS.keySet()));
        }
        return s;
    }

    /** AIC's id for a slaprof model. */
    public static String model(final String model) {
        return MODELS.getOrDefault(model, model);
    }

    /** The Python to ask: {@code explicit} when given, else the pinned peers' venv, else a clear refusal. */
    public static Path python(final Path explicit) {
        if (explicit != null) {
            return explicit;
        }
        final Path venv = Path.of(".peers", "venv", "bin", "python");
        if (Files.isExecutable(venv)) {
            return venv;
        }
        throw new IllegalArgumentException("no Python with AI Configurator: give --peers-python, set "
            + "SLAPROF_PEERS_PYTHON, or install the pinned peers: python3 -m venv .peers/venv && .peers/venv/bin/pip "
            + "install -r src/test/python/requirements-peers.txt");
    }

    /**
     * AIC's answers for {@code request} ({@code model, system, backend, isl, osl, points}); each point comes back
     * with {@code latency_ms} or the {@code error} AIC gave. AIC's log goes to {@code dir/aic-<tag>.log}.
     */
    public static JsonNode estimate(final Path python, final ObjectNode request, final Path dir, final String tag)
        throws Exception {
        final Path script = dir.resolve("aic_estimate.py");
        try (InputStream in = AicEstimator.class.getResourceAsStream("/slaprof/aic_estimate.py")) {
            if (in == null) {
                throw new IllegalStateException("aic_estimate.py missing from the classpath");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        final Path log = dir.resolve("aic-" + tag.replaceAll("[^A-Za-z0-9._-]", "_") + ".log");
        final Process proc = new ProcessBuilder(python.toString(), script.toString()).redirectError(log.toFile())
            .start();
        try (var stdin = proc.getOutputStream()) {
            stdin.write(JSON.writeValueAsBytes(request));
        }
        final byte[] stdout = proc.getInputStream().readAllBytes();
        if (!proc.waitFor(30, TimeUnit.MINUTES) || proc.exitValue() != 0) {
            final List<String> tail = Files.readAllLines(log);
            throw new IllegalStateException("AI Configurator (" + python + ", " + tag + ") failed, exit "
                + (proc.isAlive() ? "none (timed out)" : proc.exitValue()) + ": "
                + String.join(" | ", tail.subList(Math.max(0, tail.size() - 5), tail.size())));
        }
        return JSON.readTree(new String(stdout, StandardCharsets.UTF_8));
    }
}
