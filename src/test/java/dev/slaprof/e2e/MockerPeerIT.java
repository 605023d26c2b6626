package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.producer.BoundedSampleQueue;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.Measurement;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamo 1.6.1's mocker engine behind Dynamo's own OpenAI-compatible frontend: an engine slaprof did not write, on
 * one machine (file discovery, TCP request plane, ZMQ event plane: no etcd, no NATS). slaprof's streaming client
 * measures it directly and through the live tap; the tap must measure every request, count the tokens the frontend
 * reports, and time the stream as the client does.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MockerPeerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = 24;
    private static final int CONCURRENCY = 4;
    private static final int OSL = 32;
    private static final int ISL = 200;

    @Test
    void shouldMeasureDynamosMockerThroughTheTapAsTheClientDoes() throws Exception {
        final String python = Python.peers();
        final Path work = Files.createTempDirectory("mocker-it");
        final Path model = work.resolve("model");
        Python.runFile(python, Path.of("python/make_tokenizer.py"), model.toString());
        // A Qwen3-32B-shaped config for the mocker's KV sizing; an end-of-sequence token and a chat template for the
        // frontend's preprocessor.
        Files.writeString(model.resolve("config.json"), "{\"architectures\": [\"Qwen3ForCausalLM\"], \"model_type\": "
            + "\"qwen3\", \"hidden_size\": 5120, \"num_hidden_layers\": 64, \"num_attention_heads\": 64, "
            + "\"num_key_value_heads\": 8, \"head_dim\": 128, \"intermediate_size\": 25600, \"vocab_size\": 20000, "
            + "\"max_position_embeddings\": 40960, \"torch_dtype\": \"bfloat16\", \"eos_token_id\": 0}");
        final Path tc = model.resolve("tokenizer_config.json");
        final ObjectNode config = (ObjectNode) JSON.readTree(tc.toFile());
        config.put("chat_template", "{% for m in messages %}{{ m['content'] }} {% endfor %}").put("eos_token", "[UNK]");
        Files.writeString(tc, config.toString());

        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        final Path artifacts = Files.createDirectories(Path.of(System.getProperty("slaprof.artifacts",
            "target/artifacts")));
        final List<String> planes = List.of("--discovery-backend", "file", "--request-plane", "tcp", "--event-plane",
            "zmq");
        final Process frontend = start(python, work, artifacts.resolve("mocker-frontend.log"), "dynamo.frontend",
            concat(List.of("--http-port", Integer.toString(port), "--router-mode", "round-robin"), planes));
        final Process mocker = start(python, work, artifacts.resolve("mocker-engine.log"), "dynamo.mocker",
            concat(List.of("--model-path", model.toString(), "--model-name", "mock", "--speedup-ratio", "1"), planes));
        try {
            final String url = "http://127.0.0.1:" + port;
            awaitModel(url, frontend, mocker);
            final StreamingClient client = StreamingClient.create(Duration.ofMinutes(2), 1.0);
            final List<LatencySample> tapped = Collections.synchronizedList(new ArrayList<>());
            final Endpoint labels = new Endpoint(url, new Deployment("mock", Backend.VLLM, "1.6.1", "H200-SXM",
                "mocker-it"), Role.DECODE, Mappings.tp(1), false);
            final List<Measurement> direct;
            final List<Measurement> viaTap;
            try (BoundedSampleQueue queue = new BoundedSampleQueue(10_000, tapped::add);
                 TapProxy tap = new TapProxy(url, labels, queue, "127.0.0.1", 0)) {
                direct = load(client, url, "direct");
                viaTap = load(client, tap.url(), "tap");
                // The tap hands a sample over when the stream ends; the queue's thread passes it on.
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> tapped.size() >= REQUESTS);
                assertThat(queue.dropped()).isZero();
            }
            for (final List<Measurement> ms : List.of(direct, viaTap)) {
                assertThat(ms).allSatisfy(m -> {
                    assertThat(m.ok()).as("%s %s", m.errorType(), m.errorMessage()).isTrue();
                    assertThat(m.outputTokens()).isEqualTo(OSL);
                });
            }
            assertThat(tapped).as("every request through the tap is measured").hasSize(REQUESTS);
            final Map<Integer, Long> tokens = tapped.stream().collect(Collectors.groupingBy(
                s -> s.getOutputTokens(), Collectors.counting()));
            assertThat(tokens).as("the tap counts the tokens the frontend reports").isEqualTo(Map.of(OSL,
                (long) REQUESTS));
            final double[] clientTtft = viaTap.stream().mapToDouble(Measurement::ttftMs).sorted().toArray();
            final double[] tapTtft = tapped.stream().mapToDouble(s -> s.getTtftMs()).sorted().toArray();
            final double[] clientItl = viaTap.stream().mapToDouble(Measurement::itlMs).sorted().toArray();
            final double[] tapItl = tapped.stream().mapToDouble(s -> s.getItlMs()).sorted().toArray();
            final double[] directItl = direct.stream().mapToDouble(Measurement::itlMs).sorted().toArray();
            System.out.printf(Locale.ROOT, "mocker peer: median TTFT client %.2f ms, tap %.2f ms; median ITL client "
                    + "%.3f ms, tap %.3f ms, direct %.3f ms%n", median(clientTtft), median(tapTtft), median(clientItl),
                median(tapItl), median(directItl));
            // The tap sits between the client and the engine: its TTFT cannot exceed the client's.
            assertThat(median(tapTtft)).isLessThanOrEqualTo(median(clientTtft));
            // ITL is the stream's own pacing, the same on both sides of the tap (the client's clock is one hop later).
            assertThat(median(tapItl) / median(clientItl)).isBetween(0.95, 1.05);
            assertThat(median(directItl)).isPositive();
        } finally {
            mocker.destroy();
            frontend.destroy();
            if (!mocker.waitFor(10, TimeUnit.SECONDS)) {
                mocker.destroyForcibly();
            }
            if (!frontend.waitFor(10, TimeUnit.SECONDS)) {
                frontend.destroyForcibly();
            }
        }
    }

    private static List<Measurement> load(final StreamingClient client, final String url, final String tag)
        throws Exception {
        final String prompt = IntStream.rangeClosed(1, ISL).mapToObj(i -> "t" + (1 + (i * 7919) % 19_000))
            .collect(Collectors.joining(" "));
        final ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            final List<Future<Measurement>> fs = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                final String p = "t" + (i + 1) + " " + tag.length() + " " + prompt;
                fs.add(pool.submit(() -> client.measure(url, "/v1/chat/completions", StreamingClient.chatBody("mock",
                    p, OSL), ISL, Map.of())));
            }
            final List<Measurement> out = new ArrayList<>();
            for (final Future<Measurement> f : fs) {
                out.add(f.get(2, TimeUnit.MINUTES));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Process start(final String python, final Path work, final Path log, final String module,
                                 final List<String> args) throws Exception {
        final List<String> cmd = concat(List.of(python, "-m", module), args);
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().put("DYN_FILE_KV", work.resolve("discovery").toString());
        return pb.start();
    }

    private static void awaitModel(final String url, final Process frontend, final Process mocker) {
        final HttpClient http = HttpClient.newHttpClient();
        org.awaitility.Awaitility.await("the mocker's model at " + url + "/v1/models").atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
                assertThat(frontend.isAlive()).as("Dynamo's frontend exited (target/artifacts/mocker-frontend.log)")
                    .isTrue();
                assertThat(mocker.isAlive()).as("Dynamo's mocker exited (target/artifacts/mocker-engine.log)").isTrue();
                return http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("\"mock\"");
            });
    }

    private static List<String> concat(final List<String> a, final List<String> b) {
        final List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static double median(final double[] sorted) {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
