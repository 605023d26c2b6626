package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 29's local attacker against {@code slaprof run --api-token-file F}: a client on the same machine without
 * the run's credentials can neither produce to a slaprof topic of the embedded broker (SASL_SSL, SCRAM credentials
 * made for the run, in a file of mode 0600), and one with the producers' credentials of that file cannot write what
 * only the sink or the topology may (ACLs: selections, recommendations, statistics), nor register a schema in the embedded registry or change its
 * compatibility (401),
 * even with a token of F (the registry's writes take only the run's own generated token), nor pin (401); the
 * subject's versions and the recommendation's pin are unchanged afterwards. Without a token file the registry stays
 * trusted-local and the run says so.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RunTrustBoundaryIT {
    private static final String ALICE = "alice-0123456789abcdef0123";
    private static final Pattern REGISTRY = Pattern.compile("schema registry (http://127\\.0\\.0\\.1:\\d+) \\(writes "
        + "need this run's own token\\)");
    private static final Pattern UI = Pattern.compile("web UI (http://127\\.0\\.0\\.1:\\d+)/");
    private static final Pattern BROKER = Pattern.compile("embedded Kafka (127\\.0\\.0\\.1:\\d+)");
    private static final Pattern CREDENTIALS = Pattern.compile("only its topics \\(ACLs\\): "
        + "(\\S+kafka-client\\.properties)");
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(final String method, final String url, final String body, final String token)
        throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldRefuseALocalClientWithoutTheRunsCredentials() throws Exception {
        final Path dir = Files.createTempDirectory("run-trust-it");
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, ALICE + " alice\n");
        final Path jar = Path.of("../../cli/target/slaprof.jar").toAbsolutePath().normalize();
        final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx1g", "-jar", jar.toString(), "run", "--api-token-file", tokens.toString(), "--follow",
            "--follow-interval", "PT10M", "--ui-port", "0", "--max-num-gpus-per-engine", "2", "--output-dir",
            dir.resolve("out").toString())).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
            String registry = null;
            String ui = null;
            String broker = null;
            String credentials = null;
            final StringBuilder seen = new StringBuilder();
            for (String line = out.readLine(); line != null && !line.contains("following: re-profiling");
                 line = out.readLine()) {
                seen.append(line).append('\n');
                final Matcher r = REGISTRY.matcher(line);
                if (r.find()) {
                    registry = r.group(1);
                }
                final Matcher k = BROKER.matcher(line);
                if (k.find()) {
                    broker = k.group(1);
                }
                final Matcher c = CREDENTIALS.matcher(line);
                if (c.find()) {
                    credentials = c.group(1);
                }
                final Matcher u = UI.matcher(line);
                if (u.find() && ui == null) {
                    ui = u.group(1);
                }
            }
            assertThat(registry).as(seen.toString()).isNotNull();
            assertThat(broker).as(seen.toString()).isNotNull();
            assertThat(credentials).as(seen.toString()).isNotNull();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(credentials))))
                .isEqualTo("rw-------");

            // The broker: a client without this run's credentials (plaintext, or SASL with a guessed password)
            // cannot produce to any slaprof topic.
            final Properties plain = new Properties();
            plain.put("bootstrap.servers", broker);
            plain.put("max.block.ms", "4000");
            plain.put("delivery.timeout.ms", "5000");
            plain.put("request.timeout.ms", "3000");
            plain.put("linger.ms", "0");
            final Properties guessed = new Properties();
            try (var in = Files.newInputStream(Path.of(credentials))) {
                guessed.load(in);
            }
            guessed.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"slaprof-run\" password=\"not-the-password\";");
            guessed.putAll(Map.of("max.block.ms", "4000", "delivery.timeout.ms", "5000", "request.timeout.ms", "3000"));
            for (final Properties attacker : List.of(plain, guessed)) {
                for (final String topic : List.of("latency-samples", "selections", "sla-targets")) {
                    try (KafkaProducer<byte[], byte[]> evilProducer = new KafkaProducer<>(attacker,
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                        assertThatThrownBy(() -> evilProducer.send(new ProducerRecord<>(topic, "evil".getBytes(
                            StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS)).as(topic).isNotNull();
                    }
                }
            }
            // ACLs (KRaft's StandardAuthorizer): the file's principal is the producers' one. It writes samples, and
            // nothing it may not: not selections (only the sink pins, so pinned_by cannot be forged through Kafka),
            // not recommendations, not the statistics.
            final Properties producer = new Properties();
            try (var in = Files.newInputStream(Path.of(credentials))) {
                producer.load(in);
            }
            assertThat(producer.getProperty("sasl.jaas.config")).contains("username=\"slaprof-producer\"");
            producer.putAll(Map.of("max.block.ms", "8000", "delivery.timeout.ms", "10000", "request.timeout.ms",
                "5000"));
            try (KafkaProducer<byte[], byte[]> own = new KafkaProducer<>(producer, new ByteArraySerializer(),
                new ByteArraySerializer())) {
                assertThat(own.send(new ProducerRecord<>("dead-letters", "acl-probe".getBytes(StandardCharsets.UTF_8)))
                    .get(20, TimeUnit.SECONDS).offset()).as("the producers' principal writes its topics").isNotNegative();
                for (final String topic : List.of("selections", "recommendations", "mapping-load-stats")) {
                    assertThatThrownBy(() -> own.send(new ProducerRecord<>(topic, "evil".getBytes(
                        StandardCharsets.UTF_8))).get(20, TimeUnit.SECONDS)).as(topic)
                        .hasRootCauseInstanceOf(TopicAuthorizationException.class);
                }
            }
            assertThat(ui).as(seen.toString()).isNotNull();
            final String versions = registry + "/subjects/latency-samples-value/versions";
            final String before = send("GET", versions, null, null).body();
            assertThat(before).as("the run registered its schema").startsWith("[");

            final String evil = "{\"schema\":\"\\\"string\\\"\"}";
            assertThat(send("POST", versions, evil, null).statusCode()).as("register, no token").isEqualTo(401);
            assertThat(send("POST", versions, evil, ALICE).statusCode()).as("register, a UI token").isEqualTo(401);
            assertThat(send("PUT", registry + "/config/latency-samples-value", "{\"compatibility\":\"NONE\"}", null)
                .statusCode()).as("compatibility, no token").isEqualTo(401);
            assertThat(send("GET", versions, null, null).body()).as("no new version").isEqualTo(before);
            assertThat(send("GET", registry + "/config/latency-samples-value", null, null).body())
                .doesNotContain("NONE");

            // The UI's writes need a token of F (and the page's own proof is not enough with a token file).
            final HttpResponse<String> list = send("GET", ui + "/api/recommendations", null, null);
            final String deployment = new ObjectMapper().readTree(list.body()).get(0).path("deployment").asText();
            final HttpResponse<String> pin = http.send(HttpRequest.newBuilder(URI.create(ui + "/api/recommendations/"
                + deployment + "/default/pin")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prefill_label\":\"TP=2\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(pin.statusCode()).as(pin.body()).isEqualTo(401);
            assertThat(new ObjectMapper().readTree(send("GET", ui + "/api/recommendations/" + deployment + "/default",
                null, null).body()).path("pinned").isNull()).as("no pin").isTrue();
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }
}
