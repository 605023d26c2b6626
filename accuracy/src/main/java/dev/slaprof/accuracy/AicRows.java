package dev.slaprof.accuracy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * AI Configurator's own estimate of measured rows, cached per row id and AIC version in a JSON-lines file (AIC
 * takes about a second a row): rows the cache lacks are sent to the pinned AIC ({@code aic_rows.py}) and each answer
 * is appended as it comes, so an interrupted run resumes where it stopped.
 */
public final class AicRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * AIC's answer for one row.
     *
     * @param ttftMs TTFT, ms (NaN when AIC refused the row)
     * @param tpotMs TPOT, ms
     * @param error  AIC's refusal, or null
     */
    public record Answer(double ttftMs, double tpotMs, String error) {
    }

    private AicRows() {
    }

    /** The installed AIC's version, as {@code python} reports it. */
    public static String version(final Path python) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(python.toString(), "-c",
            "import importlib.metadata as m; print(m.version('aiconfigurator'))").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("cannot ask " + python + " for the aiconfigurator version: " + out);
        }
        return out;
    }

    /** The silicon_sample.csv of the AIC installed for {@code python}. */
    public static Path bundledSample(final Path python) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(python.toString(), "-c", "import aiconfigurator_core, os; print(os.path.join("
            + "os.path.dirname(aiconfigurator_core.__file__), 'systems', 'silicon_sample.csv'))")
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isRegularFile(Path.of(out))) {
            throw new IllegalStateException("no silicon_sample.csv in the aiconfigurator-core of " + python + ": " + out
                + " (install the pinned peers, or give --measured FILE)");
        }
        return Path.of(out);
    }

    /**
     * The answers of a committed AIC table ({@code docs/accuracy-aic-<version>.json}: {@code aic_version} and
     * {@code rows: {id: {ttft_ms, tpot_ms} or {error}}}).
     */
    public static Map<String, Answer> table(final Path file) throws IOException {
        final JsonNode root = JSON.readTree(file.toFile());
        if (!root.path("rows").isObject()) {
            throw new IllegalArgumentException(file + ": no 'rows' object (expected an AIC table written by "
                + "--aic-export)");
        }
        final Map<String, Answer> m = new HashMap<>();
        root.path("rows").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().has("error")
            ? new Answer(Double.NaN, Double.NaN, e.getValue().path("error").asText())
            : new Answer(e.getValue().path("ttft_ms").asDouble(), e.getValue().path("tpot_ms").asDouble(), null)));
        return m;
    }

    /** Writes {@code answers} as an AIC table (rows in id order), the format {@link #table} reads. */
    public static void export(final Path file, final String version, final String command,
                              final Map<String, Answer> answers) throws IOException {
        final ObjectNode doc = JSON.createObjectNode()
            .put("aic_version", version).put("command", command).put("rows_total", answers.size());
        final ObjectNode byId = doc.putObject("rows");
        final Map<String, Answer> sorted = new TreeMap<>(answers);
        for (final Map.Entry<String, Answer> e : sorted.entrySet()) {
            final Answer a = e.getValue();
            if (a.error() != null) {
                byId.putObject(e.getKey()).put("error", withoutLocalPaths(a.error()));
            } else {
                byId.putObject(e.getKey()).put("ttft_ms", a.ttftMs()).put("tpot_ms", a.tpotMs());
            }
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n");
    }

    /** An AIC message without this machine's install location (AIC names its data files by absolute path). */
    static String withoutLocalPaths(final String message) {
        return message.replaceAll("/[^\\s\"']*site-packages/", "");
    }

    /** The cached answers of {@code version} in {@code cache} (absent file: none). */
    public static Map<String, Answer> cached(final Path cache, final String version) throws IOException {
        final Map<String, Answer> m = new HashMap<>();
        if (!Files.isRegularFile(cache)) {
            return m;
        }
        for (final String line : Files.readAllLines(cache, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            final JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (final IOException e) {
                // A line cut by an interrupted run: that row is asked again.
                continue;
            }
            // A download failure is this machine's (no model hub), not AIC's verdict on the row: asked again.
            if (version.equals(n.path("aic_version").asText()) && n.has("id")
                && !n.path("error").asText().startsWith("HuggingFaceDownloadError")) {
                m.put(n.path("id").asText(), n.has("error") ? new Answer(Double.NaN, Double.NaN, n.path("error").asText())
                    : new Answer(n.path("ttft_ms").asDouble(), n.path("tpot_ms").asDouble(), null));
            }
        }
        return m;
    }

    /**
     * Asks AIC ({@code version}, from {@link #version}) for the rows {@code cache} lacks, appending each answer to it,
     * and returns every answer of the rows.
     * Progress goes to {@code out} every 50 rows.
     */
    public static Map<String, Answer> estimate(final Path python, final String version, final List<SiliconRow> rows,
                                               final Path cache, final PrintStream out)
        throws IOException, InterruptedException {
        final Map<String, Answer> known = cached(cache, version);
        final List<SiliconRow> ask = new ArrayList<>();
        for (final SiliconRow r : rows) {
            if (!known.containsKey(r.id())) {
                ask.add(r);
            }
        }
        out.printf("accuracy: AI Configurator %s: %d of %d rows cached in %s, asking for %d%n", version,
            rows.size() - ask.size(), rows.size(), cache, ask.size());
        if (!ask.isEmpty()) {
            run(python, ask, cache, out);
        }
        final Map<String, Answer> all = cached(cache, version);
        final Map<String, Answer> mine = new HashMap<>();
        for (final SiliconRow r : rows) {
            final Answer a = all.get(r.id());
            if (a == null) {
                throw new IllegalStateException("AI Configurator gave no answer for row " + r.id());
            }
            mine.put(r.id(), a);
        }
        return mine;
    }

    private static void run(final Path python, final List<SiliconRow> ask, final Path cache, final PrintStream out)
        throws IOException, InterruptedException {
        final Path dir = Files.createTempDirectory("slaprof-aic-");
        final Path script = dir.resolve("aic_rows.py");
        try (InputStream in = AicRows.class.getResourceAsStream("/slaprof/aic_rows.py")) {
            if (in == null) {
                throw new IllegalStateException("aic_rows.py missing from the classpath");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        final Path log = dir.resolve("aic.log");
        if (cache.toAbsolutePath().getParent() != null) {
            Files.createDirectories(cache.toAbsolutePath().getParent());
        }
        final Process proc = new ProcessBuilder(python.toString(), script.toString()).redirectError(log.toFile()).start();
        final Thread feeder = new Thread(() -> {
            try (OutputStream stdin = proc.getOutputStream()) {
                for (final SiliconRow r : ask) {
                    stdin.write(JSON.writeValueAsBytes(r.columns()));
                    stdin.write('\n');
                }
            } catch (final IOException e) {
                // The process died; its exit code and log say why below.
            }
        }, "aic-feeder");
        feeder.start();
        final long t0 = System.nanoTime();
        int done = 0;
        try (BufferedReader br = new BufferedReader(new InputStreamReader(proc.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = br.readLine()) != null) {
                Files.writeString(cache, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
                if (++done % 50 == 0 || done == ask.size()) {
                    final double s = (System.nanoTime() - t0) / 1e9;
                    out.printf("accuracy: AI Configurator %d/%d rows, %.0f s, about %.0f s left%n", done, ask.size(),
                        s, s / done * (ask.size() - done));
                }
            }
        }
        feeder.join();
        if (proc.waitFor() != 0) {
            final List<String> tail = Files.readAllLines(log);
            throw new IllegalStateException("AI Configurator (" + python + ") failed, exit " + proc.exitValue() + ": "
                + String.join(" | ", tail.subList(Math.max(0, tail.size() - 5), tail.size())));
        }
    }
}
