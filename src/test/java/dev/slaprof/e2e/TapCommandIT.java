package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.Fleet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's {@code ./slaprof tap} as a user runs it: the fat jar in its own JVM, in front of an engine (a simulated
 * one here; RealVllmIT puts the same proxy in front of real vLLM), publishing one sample per streaming request to a
 * cluster, and on SIGTERM saying how many it published and dropped before it exits (143, as a process stopped by
 * SIGTERM does).
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TapCommandIT {
    private static final Pattern LISTENING = Pattern.compile("slaprof: tap (http://127\\.0\\.0\\.1:\\d+) -> ");
    private static final int REQUESTS = 5;

    @Test
    void shouldPublishOneSamplePerRequestAndSayWhatItDidOnSigterm(final TestBroker broker) throws Exception {
        final Path jar = Path.of("../../cli/target/slaprof.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the reactor builds cli before this module").exists();
        final String prefix = TestBroker.ownPrefix("tap-it");
        assertThat(CliRunner.run("topics", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", prefix)
            .exitCode()).isZero();
        final String version = "tap-it-" + UUID.randomUUID();
        try (RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0);
             Fleet engine = Fleet.start(Catalog.bundled(), "Qwen/Qwen3-32B", "H200-SXM", List.of(Mappings.tp(2)),
                 List.of(Role.DECODE), 20, 0, 1, Faults.NONE)) {
            final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-jar", jar.toString(), "tap", "--bootstrap-servers", broker.bootstrapServers(),
                "--schema-registry-url", registry.url(), "--topic-prefix", prefix, "--model", "Qwen/Qwen3-32B",
                "--gpu-type", "H200-SXM", "--engine-version", version, "--upstream", engine.engines().get(0).url(),
                "--mapping", "TP=2", "--port", "0")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
                String tap = null;
                while (tap == null) {
                    final String line = out.readLine();
                    if (line == null) {
                        break;
                    }
                    final Matcher m = LISTENING.matcher(line);
                    tap = m.find() ? m.group(1) : null;
                }
                assertThat(tap).as("the tap's listening line").isNotNull();
                final HttpClient http = HttpClient.newHttpClient();
                for (int i = 0; i < REQUESTS; i++) {
                    final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(tap
                        + "/v1/chat/completions")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"Qwen/Qwen3-32B\",\"stream\":true,"
                            + "\"max_tokens\":8,\"ignore_eos\":true,\"stream_options\":{\"include_usage\":true},"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"request " + i + " of the tap test\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).contains("data: [DONE]");
                }
                assertThat(samples(broker, registry.url(), prefix, version)).hasSize(REQUESTS)
                    .allSatisfy(s -> assertThat(Mappings.label(s.getMapping())).isEqualTo("TP=2"));
                // SIGTERM through the handle: Process.destroy() would also close the pipe this test still reads.
                p.toHandle().destroy();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                final List<String> rest = new ArrayList<>();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    rest.add(line);
                }
                assertThat(rest).contains("slaprof: tap published " + REQUESTS + " samples, dropped 0");
                // A JVM stopped by SIGTERM exits 128 + 15, after the hook has closed the tap and flushed its samples.
                assertThat(p.exitValue()).isEqualTo(143);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static List<LatencySample> samples(final TestBroker broker, final String registry, final String prefix,
                                               final String version) {
        final Topics topics = Topics.create(new HttpSchemaRegistryClient(registry), prefix);
        final Properties props = broker.clientProps();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "tap-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final List<LatencySample> out = new ArrayList<>();
        try (KafkaConsumer<Deployment, LatencySample> c = new KafkaConsumer<>(props,
            topics.samples().keySerde().deserializer(), topics.samples().valueSerde().deserializer())) {
            c.subscribe(List.of(topics.samples().name()));
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < REQUESTS && System.nanoTime() < deadline) {
                for (final var r : c.poll(Duration.ofMillis(200))) {
                    if (r.value().getDeployment().getEngineVersion().equals(version)) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }
}
