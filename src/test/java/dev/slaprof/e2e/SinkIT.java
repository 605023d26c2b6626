package dev.slaprof.e2e;

import dev.slaprof.dynamo.SafeNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.CapacitySource;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.sink.SinkService;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the real broker: a sweep of samples through the exactly-once topology becomes a recommendation in the compacted
 * topic (read with read_committed by the planner client), the files and the REST API; new samples that change the
 * pick change the files and the REST answer within seconds.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SinkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static LatencySample prefill(final Deployment d, final Mapping m, final int isl, final double ttft) {
        return LatencySamples.ok(d, Role.PREFILL, m, LatencySamples.source(SourceKind.BENCHMARK, "it", null), 1, isl,
            5, 1_764_000_000_000_000L, ttft, 2.0);
    }

    private static LatencySample decode(final Deployment d, final int n, final int isl, final double itl) {
        return LatencySamples.ok(d, Role.DECODE, Mappings.tp(1), LatencySamples.source(SourceKind.BENCHMARK, "it",
            null), n, isl, 500, 1_764_000_000_000_000L, 30.0, itl);
    }

    /** GET as JSON, with the HTTP status added as {@code _status}. */
    private JsonNode get(final String url) throws Exception {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString());
        final ObjectNode body =
            (ObjectNode) JSON.readTree(r.body());
        return body.put("_status", r.statusCode());
    }

    @Test
    void shouldKeepFilesAndRestCurrentAsSamplesArrive(final TestBroker broker) throws Exception {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0", "H200-SXM",
            "sink-it-" + UUID.randomUUID());
        final Topics topics = broker.ownTopics("sink-it", new InMemorySchemaRegistry());
        final Properties streamsProps = StreamsSettings.defaults(broker.clientProps(), topics,
            "sink-it-" + UUID.randomUUID(), Files.createTempDirectory("sink-it-state"));
        final SlaTarget sla = SlaTargets.of("default", 120.0, 30.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        try (KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(streamsProps, topics, sla,
                 Duration.ofMillis(250)), streamsProps);
             SinkService sink = new SinkService(broker.clientProps(), topics, dir, "127.0.0.1", 0, Map::of);
             KafkaProducer<Deployment, LatencySample> samples = new KafkaProducer<>(broker.clientProps(),
                 topics.samples().keySerde().serializer(), topics.samples().valueSerde().serializer());
             KafkaProducer<CapacityKey, EngineCapacity> caps = new KafkaProducer<>(broker.clientProps(),
                 topics.capacity().keySerde().serializer(), topics.capacity().valueSerde().serializer())) {
            TestBroker.startAndAwaitTasks(streams);
            caps.send(new ProducerRecord<>(topics.capacity().name(), new CapacityKey(d, "TP=1"),
                new EngineCapacity(d, Mappings.tp(1), 500_000L, CapacitySource.CONFIG, "test", 0L, 0))).get();
            for (int i = 0; i < 3; i++) {
                samples.send(new ProducerRecord<>(topics.samples().name(), d, prefill(d, Mappings.tp(1), 3000, 100)));
                samples.send(new ProducerRecord<>(topics.samples().name(), d, prefill(d, Mappings.tp(2), 3000, 60)));
            }
            for (final int isl : new int[] {100, 1000, 5000, 8000}) {
                samples.send(new ProducerRecord<>(topics.samples().name(), d, prefill(d, Mappings.tp(1), isl,
                    10 + isl / 30.0)));
            }
            for (final int isl : new int[] {100, 3000, 6000}) {
                for (final int n : new int[] {1, 8, 16}) {
                    samples.send(new ProducerRecord<>(topics.samples().name(), d, decode(d, n, isl,
                        12 + n * 0.5 + isl / 1000.0)));
                }
            }
            samples.flush();
            final String base = sink.url() + "/api/recommendations/" + SafeNames.deployment(d) + "/default";
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> get(base).path("samples_total").asLong() == 19);
            final JsonNode rec = get(base);
            assertThat(rec.path("prefill").path("point").path("label").asText()).isEqualTo("TP=1");
            assertThat(rec.path("prefill_table").path("complete").asBoolean()).isTrue();
            assertThat(rec.path("decode_table").path("max_kv_tokens").asLong()).isEqualTo(500_000L);
            // The planner-ready forms travel in the recommendation; ?omit leaves them out.
            assertThat(rec.path("decode_grid").path("itl").size()).isEqualTo(100 * 100);
            assertThat(rec.path("prefill_ttft_spline").path("knots").size()).isEqualTo(5);
            assertThat(get(base + "?omit=decode_grid,prefill_ttft_spline").has("decode_grid")).isFalse();
            final JsonNode grids = get(base + "/grids");
            assertThat(grids.path("decode").path("itl_ms").size()).isEqualTo(100);
            assertThat(grids.path("decode").path("itl_ms").get(0).size()).isEqualTo(100);
            assertThat(grids.path("prefill").path("ttft_ms").size()).isEqualTo(100);
            final JsonNode q = get(base + "/query/prefill?isl=3000");
            assertThat(q.path("ttft_ms").asDouble()).isEqualTo(100.0);
            assertThat(get(base + "/query/decode?in_flight=8&context=3250").path("itl_ms").asDouble()).isPositive();
            assertThat(get(base + "/query/prefill?isl=abc").path("_status").asInt()).isEqualTo(400);
            // What Dynamo 1.x's planner concludes from the same tables: its linear fits and capacities.
            final JsonNode planner = get(base + "/query/planner?isl=3000&osl=500&itl=30");
            assertThat(planner.path("prefill").path("ready").asBoolean()).as(planner.toString()).isTrue();
            assertThat(planner.path("prefill").path("requests_per_s_per_replica").asDouble())
                .isEqualTo(1000 / planner.path("prefill").path("ttft_ms").asDouble(), Assertions
                    .within(1e-9));
            assertThat(planner.path("decode").path("ready").asBoolean()).as(planner.toString()).isTrue();
            assertThat(planner.path("decode").path("best_batch").asInt()).isBetween(1,
                planner.path("decode").path("max_batch").asInt());
            assertThat(planner.path("decode").path("itl_ms").asDouble()).isLessThanOrEqualTo(30.0);
            assertThat(get(sink.url() + "/api/recommendations/nope/default").path("_status").asInt()).isEqualTo(404);
            // A deployment with prefill samples only: every decode question is "cannot answer", 409 on every route,
            // while the grids still answer for the prefill side.
            final Deployment prefillOnly = Deployment.newBuilder(d).setEngineVersion(d.getEngineVersion() + "-p")
                .build();
            samples.send(new ProducerRecord<>(topics.samples().name(), prefillOnly, prefill(prefillOnly,
                Mappings.tp(1), 3000, 100))).get();
            final String other = sink.url() + "/api/recommendations/" + SafeNames.deployment(prefillOnly) + "/default";
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> get(other).path("samples_total").asLong() == 1);
            final JsonNode noDecode = get(other + "/query/decode?in_flight=8&context=3250");
            assertThat(noDecode.path("_status").asInt()).as(noDecode.toString()).isEqualTo(409);
            assertThat(noDecode.path("error").asText()).contains("decode table");
            assertThat(get(other + "/query/best?itl=20&context=3250").path("_status").asInt()).isEqualTo(409);
            assertThat(get(other + "/query/planner").path("_status").asInt()).isEqualTo(409);
            final JsonNode partial = get(other + "/grids");
            assertThat(partial.path("_status").asInt()).isEqualTo(200);
            assertThat(partial.path("decode").path("error").asText()).contains("decode table");
            final String metrics = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("slaprof_recommendation_age_seconds{deployment=\"" + SafeNames.deployment(d))
                .contains("slaprof_latency_samples_offsets").contains("slaprof_dead_letter_offsets");
            final Path file = dir.resolve(SafeNames.deployment(d)).resolve("default").resolve("recommendation.json");
            // The files are written by the sink's writer thread, just after the snapshot became readable.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file)
                && JSON.readTree(file.toFile()).path("prefill").path("point").path("label").asText().equals("TP=1"));

            // TP2 at 30 ms: 3000 / 32.7 * 1000 / 2 = 45.8k tok/s/GPU beats TP1's 30k beyond the intervals.
            final long t0 = System.nanoTime();
            for (int i = 0; i < 30; i++) {
                samples.send(new ProducerRecord<>(topics.samples().name(), d, prefill(d, Mappings.tp(2), 3000, 30)));
            }
            samples.flush();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(base).path("prefill").path("point").path("label").asText().equals("TP=2"));
            final double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("recommendation switched in the REST answer %.2f s after the new samples were sent%n",
                seconds);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(file.toFile()).path("prefill")
                .path("point").path("label").asText().equals("TP=2"));
        }
    }
}
