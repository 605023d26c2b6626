package dev.slaprof.e2e;

import dev.slaprof.dynamo.SafeNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.ApiTokens;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.sink.OutputWriter;
import dev.slaprof.sink.SinkService;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may change a deployment, over real HTTP against a sink on the embedded broker: bearer tokens from a token
 * file (reloaded when it changes), the same-origin proof without one, Host and Origin checks, the registry's writes,
 * and the refusal to listen off loopback without credentials. Every refused request is shown to have no effect on
 * the selections topic.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecurityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "alice-0123456789abcdef0123";
    private static final String BOB = "bob-fedcba9876543210fedcba";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** A recommendation with TP=1 and TP=2 prefill points, published as the topology would. */
    private static Recommendation recommendation(final Deployment d) {
        final Map<String, MappingLoadStats> buckets = new HashMap<>();
        final List<LatencySample> samples = new ArrayList<>();
        for (final int gpus : new int[] {1, 2}) {
            samples.add(LatencySamples.ok(d, Role.PREFILL, Mappings.tp(gpus), LatencySamples.source(
                SourceKind.BENCHMARK, "it", null), 1, 3000, 5, 1_764_000_000_000_000L, 100.0 / gpus, 2.0));
            samples.add(LatencySamples.ok(d, Role.DECODE, Mappings.tp(gpus), LatencySamples.source(
                SourceKind.BENCHMARK, "it", null), 8, 3000, 500, 1_764_000_000_000_000L, 30.0, 20.0 / gpus));
        }
        for (final LatencySample s : samples) {
            final var key = Keys.bucket(s);
            LatencyStats.add(buckets.computeIfAbsent(Keys.bucketId(key),
                k -> LatencyStats.empty(s, key.getInFlight(), key.getIsl())), s);
        }
        final SlaTarget sla = SlaTargets.of("default", 500.0, 50.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        return Recommender.recommend(d, sla, new ArrayList<>(buckets.values()), Map.of(), null, 1);
    }

    private HttpResponse<String> pin(final String url, final Map<String, String> headers) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/pin"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"prefill_label\":\"TP=2\"}"));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(final String url, final Map<String, String> headers) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> pinBody(final String url, final String token, final String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/pin")).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** A raw HTTP/1.1 exchange: the request's head and body bytes as given; the answer's status. */
    private static int raw(final String baseUrl, final String head, final byte[] body) throws Exception {
        final URI u = URI.create(baseUrl);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            final OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            final String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    /** A raw HTTP/1.1 request with a Host header of our choosing (the JDK client will not send a forged one). */
    private static int rawStatus(final String baseUrl, final String method, final String path, final String host)
        throws Exception {
        final URI u = URI.create(baseUrl);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            final OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = s.getInputStream();
            final String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    private static List<PinnedChoice> selections(final TestBroker broker, final Topics topics,
                                                 final RecommendationKey key) {
        final Properties p = new Properties();
        p.putAll(broker.clientProps());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "security-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final List<PinnedChoice> out = new ArrayList<>();
        try (KafkaConsumer<RecommendationKey, PinnedChoice> c = new KafkaConsumer<>(p,
            topics.selections().keySerde().deserializer(), topics.selections().valueSerde().deserializer())) {
            c.subscribe(List.of(topics.selections().name()));
            final long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < end) {
                for (final ConsumerRecord<RecommendationKey, PinnedChoice> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key()) && r.value() != null) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }

    private static double metric(final String text, final String name) {
        for (final String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not in /metrics");
    }

    @Test
    void shouldLetOnlyCredentialedOrSameOriginRequestsChangeAPin(final TestBroker broker) throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM",
            "security-it-" + UUID.randomUUID().toString().substring(0, 8));
        final RecommendationKey key = new RecommendationKey(d, "default");
        final Topics topics = broker.ownTopics("security-it", new InMemorySchemaRegistry());
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# token name\n" + ALICE + " alice\n" + BOB + " bob\n");
        final HttpSurface.Options guarded = new HttpSurface.Options(new AccessPolicy.Settings(ApiTokens.load(tokens),
            false, List.of(), false), null);
        try (SinkService sink = new SinkService(broker.clientProps(), topics, new OutputWriter(dir.resolve("out")),
                 "127.0.0.1", 0, Map::of, guarded);
             SinkService open = new SinkService(broker.clientProps(), topics, new OutputWriter(dir.resolve("out2")),
                 "127.0.0.1", 0, Map::of);
             KafkaProducer<RecommendationKey, Recommendation> recs = new KafkaProducer<>(broker.clientProps(),
                 topics.recommendations().keySerde().serializer(), topics.recommendations().valueSerde().serializer())) {
            recs.send(new ProducerRecord<>(topics.recommendations().name(), key, recommendation(d))).get();
            final String path = "/api/recommendations/" + SafeNames.deployment(d) + "/default";
            final String base = sink.url() + path;
            // Reads stay open on loopback.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get(base, Map.of()).statusCode() == 200);

            assertThat(pin(base, Map.of()).statusCode()).as("no token").isEqualTo(401);
            assertThat(pin(base, Map.of("Authorization", "Bearer wrong-token-000000000000")).statusCode())
                .as("wrong token").isEqualTo(401);
            final HttpResponse<String> ok = pin(base, Map.of("Authorization", "Bearer " + ALICE));
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("pinned_by").asText()).isEqualTo("alice");

            // Alice's line is removed: her token stops working at once; Bob's still works.
            Files.writeString(tokens, BOB + " bob\n");
            assertThat(pin(base, Map.of("Authorization", "Bearer " + ALICE)).statusCode()).as("revoked")
                .isEqualTo(401);
            // A page on another origin cannot pin, even with a token it somehow had; nor can a rebound Host.
            assertThat(pin(base, Map.of("Authorization", "Bearer " + BOB, "Origin", "http://evil.example"))
                .statusCode()).as("foreign Origin").isEqualTo(403);
            assertThat(rawStatus(sink.url(), "POST", path + "/pin", "evil.example:" + URI.create(base).getPort()))
                .as("foreign Host").isEqualTo(403);
            assertThat(rawStatus(sink.url(), "GET", path, "rebound.example")).as("foreign Host, read")
                .isEqualTo(403);
            final String metrics = get(sink.url() + "/metrics", Map.of()).body();
            assertThat(metric(metrics, "slaprof_http_refused_unauthorized_total")).isEqualTo(3.0);
            assertThat(metric(metrics, "slaprof_http_refused_origin_total")).isEqualTo(1.0);
            assertThat(metric(metrics, "slaprof_http_refused_host_total")).isEqualTo(2.0);
            assertThat(metric(metrics, "slaprof_api_token_file_reloads_total")).isEqualTo(1.0);

            // Without a token file (loopback): a write needs the page's CSRF token and a matching Origin.
            final String openBase = open.url() + path;
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get(openBase, Map.of()).statusCode() == 200);
            final String csrf = JSON.readTree(get(open.url() + "/api/session", Map.of()).body()).path("csrf_token")
                .asText();
            assertThat(pin(openBase, Map.of()).statusCode()).as("no proof").isEqualTo(403);
            assertThat(pin(openBase, Map.of("Origin", open.url())).statusCode()).as("Origin, no CSRF").isEqualTo(403);
            assertThat(pin(openBase, Map.of("Origin", "http://evil.example", AccessPolicy.CSRF_HEADER, csrf))
                .statusCode()).as("CSRF from a foreign Origin").isEqualTo(403);
            assertThat(pin(openBase, Map.of("Origin", open.url(), AccessPolicy.CSRF_HEADER, csrf + "x"))
                .statusCode()).as("forged CSRF").isEqualTo(403);
            final HttpResponse<String> page = pin(openBase, Map.of("Origin", open.url(), AccessPolicy.CSRF_HEADER,
                csrf));
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            assertThat(JSON.readTree(page.body()).path("pinned_by").asText()).isEqualTo("web-ui");
            // The page itself carries a fresh token of its own.
            assertThat(get(open.url() + "/", Map.of()).body()).containsPattern(
                "<meta name=\"csrf-token\" content=\"[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\">");
        }
        // Exactly the two accepted pins reached the topic; every refused request had no effect.
        assertThat(selections(broker, topics, key)).extracting(PinnedChoice::getPinnedBy)
            .containsExactly("alice", "web-ui");
    }

    /**
     * Issue 29's strict bodies and hosts, each with its status and no state changed: trailing content after the JSON
     * value is a 400; a body over the documented 64 KiB is a 413, from its Content-Length before it is read and from
     * its bytes when it has none; a pin of one role keeps the other's; a Host with anything after its numeric port,
     * or an absolute-form target naming another host, is a 403.
     */
    @Test
    void shouldParsePinBodiesAndHostsStrictly(final TestBroker broker) throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM",
            "strict-it-" + UUID.randomUUID().toString().substring(0, 8));
        final RecommendationKey key = new RecommendationKey(d, "default");
        final Topics topics = broker.ownTopics("strict-it", new InMemorySchemaRegistry());
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, BOB + " bob\n");
        final HttpSurface.Options guarded = new HttpSurface.Options(new AccessPolicy.Settings(ApiTokens.load(tokens),
            false, List.of(), false), null);
        try (SinkService sink = new SinkService(broker.clientProps(), topics, new OutputWriter(dir.resolve("out")),
                 "127.0.0.1", 0, Map::of, guarded);
             KafkaProducer<RecommendationKey, Recommendation> recs = new KafkaProducer<>(broker.clientProps(),
                 topics.recommendations().keySerde().serializer(), topics.recommendations().valueSerde().serializer())) {
            recs.send(new ProducerRecord<>(topics.recommendations().name(), key, recommendation(d))).get();
            final String path = "/api/recommendations/" + SafeNames.deployment(d) + "/default";
            final String base = sink.url() + path;
            final int port = URI.create(base).getPort();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get(base, Map.of()).statusCode() == 200);

            final HttpResponse<String> trailing = pinBody(base, BOB, "{\"prefill_label\":\"TP=2\"} garbage");
            assertThat(trailing.statusCode()).as(trailing.body()).isEqualTo(400);
            assertThat(trailing.body()).contains("not one valid JSON value");
            final String auth = "Authorization: Bearer " + BOB + "\r\n";
            assertThat(raw(sink.url(), "POST " + path + "/pin HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + auth
                + "Content-Type: application/json\r\nContent-Length: 10485760\r\nConnection: close\r\n\r\n",
                new byte[0])).as("10 MB declared").isEqualTo(413);
            final byte[] chunk = ("{\"prefill_label\":\"TP=2\",\"x\":\"" + "a".repeat(70_000) + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
            final byte[] chunked = (Integer.toHexString(chunk.length) + "\r\n" + new String(chunk,
                StandardCharsets.US_ASCII) + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            assertThat(raw(sink.url(), "POST " + path + "/pin HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + auth
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                chunked)).as("70 KB without a length").isEqualTo(413);
            assertThat(rawStatus(sink.url(), "GET", path, "127.0.0.1:" + port + ".evil.com")).as("Host after port")
                .isEqualTo(403);
            assertThat(rawStatus(sink.url(), "GET", "http://evil.com" + path, "127.0.0.1:" + port))
                .as("absolute-form target of another host").isEqualTo(403);
            assertThat(rawStatus(sink.url(), "GET", "http://127.0.0.1:" + port + path, "127.0.0.1:" + port))
                .as("absolute-form target of this host").isEqualTo(200);
            assertThat(selections(broker, topics, key)).as("nothing refused reached the topic").isEmpty();

            // A pin of the decode role, then of the prefill role: the second keeps the first.
            assertThat(pinBody(base, BOB, "{\"decode_label\":\"TP=1\",\"decode_in_flight\":8}").statusCode())
                .isEqualTo(200);
            final HttpResponse<String> both = pinBody(base, BOB, "{\"prefill_label\":\"TP=2\"}");
            assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
            assertThat(JSON.readTree(both.body()).path("decode_label").asText()).isEqualTo("TP=1");
        }
        final List<PinnedChoice> pins = selections(broker, topics, key);
        assertThat(pins).hasSize(2);
        assertThat(pins.get(1).getPrefillLabel()).isEqualTo("TP=2");
        assertThat(pins.get(1).getDecodeLabel()).isEqualTo("TP=1");
        assertThat(pins.get(1).getDecodeInFlight()).isEqualTo(8);
    }

    @Test
    void shouldGuardTheRegistrysWritesAndRefuseOpenWritesOffLoopback() throws Exception {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, ALICE + " alice\n");
        try (RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0,
            new HttpSurface.Options(new AccessPolicy.Settings(ApiTokens.load(tokens), false, List.of(), false),
                null))) {
            final String body = "{\"schema\":\"\\\"string\\\"\"}";
            final HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(registry.url()
                + "/subjects/it-value/versions")).header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
            assertThat(http.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(get(registry.url() + "/subjects", Map.of()).body()).isEqualTo("[]");
            final HttpResponse<String> ok = http.send(post.header("Authorization", "Bearer " + ALICE).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(get(registry.url() + "/subjects", Map.of()).body()).contains("it-value");
            // The registry client sends its token.
            assertThat(new HttpSchemaRegistryClient(registry.url(), Duration.ofSeconds(5), ALICE)
                .register("it2-value", Schema.create(Schema.Type.LONG))).isPositive();
        }
        // Without a token file (loopback): a registry client (no browser page, no Origin) registers; a page of
        // another origin cannot.
        try (RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            final HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(registry.url()
                + "/subjects/it-value/versions")).header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"\\\"string\\\"\"}"));
            assertThat(http.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(post.header("Origin", "http://evil.example").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        }
        for (final String[] cmd : new String[][] {{"sink", "--host", "0.0.0.0", "--bootstrap-servers",
            "127.0.0.1:1", "--schema-registry-url", "http://127.0.0.1:1"}, {"registry", "--host", "0.0.0.0",
            "--port", "0"}, {"run", "--host", "0.0.0.0", "--ui-port", "0"}}) {
            final CliRunner.Outcome o = CliRunner.run(cmd);
            assertThat(o.exitCode()).as(o.output()).isNotZero();
            assertThat(o.output()).as(String.join(" ", cmd)).contains("refusing to serve", "on 0.0.0.0",
                "--api-token-file", "--insecure-no-auth");
        }
    }
}
