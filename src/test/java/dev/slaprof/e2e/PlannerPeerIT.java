package dev.slaprof.e2e;

import dev.slaprof.dynamo.PlannerConfigDoc;
import dev.slaprof.dynamo.SafeNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.slaprof.schema.avro.RecommendationKey;
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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamo's planner as the real consumer (issue 20, part 3): the installed ai-dynamo 1.6.1 planner's own loader and
 * regression models read a profile folder slaprof wrote, in both layouts (the profiler's npz folder and the ConfigMap
 * mount from final_config.yaml), without a warning; its answers (a prefill replica's requests/s and TTFT at the
 * ISL, the decode replica's requests/s and ITL of the best batch under the ITL target) equal slaprof's REST
 * {@code /query/planner} within 1 %.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PlannerPeerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("python/planner_peer.py");
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static LatencySample sample(final Deployment d, final Role role, final int n, final int isl,
                                        final int osl, final double ttft, final double itl) {
        return LatencySamples.ok(d, role, Mappings.tp(1), LatencySamples.source(SourceKind.BENCHMARK, "peer-it", null),
            n, isl, osl, 1_764_000_000_000_000L, ttft, itl);
    }

    @Test
    void shouldGiveThePlannersOwnAnswersOnSlaprofsFiles(final TestBroker broker) throws Exception {
        final String python = Python.peers();
        final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM",
            "peer-it-" + UUID.randomUUID().toString().substring(0, 8));
        final Topics topics = broker.ownTopics("planner-peer-it", new InMemorySchemaRegistry());
        final Properties props = StreamsSettings.defaults(broker.clientProps(), topics, "peer-it-" + UUID.randomUUID(),
            Files.createTempDirectory("peer-it-state"));
        final SlaTarget sla = SlaTarget.newBuilder(SlaTargets.of("default", 500.0, 30.0, 3000, 500,
            Statistic.MEAN, 1, 8, 1, false)).setDynamoApi("v1beta1").build();
        try (KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(props, topics, sla, Duration.ofMillis(250)),
                 props);
             SinkService sink = new SinkService(broker.clientProps(), topics, dir, "127.0.0.1", 0, Map::of);
             KafkaProducer<Deployment, LatencySample> samples = new KafkaProducer<>(broker.clientProps(),
                 topics.samples().keySerde().serializer(), topics.samples().valueSerde().serializer());
             KafkaProducer<CapacityKey, EngineCapacity> caps = new KafkaProducer<>(broker.clientProps(),
                 topics.capacity().keySerde().serializer(), topics.capacity().valueSerde().serializer())) {
            TestBroker.startAndAwaitTasks(streams);
            caps.send(new ProducerRecord<>(topics.capacity().name(), new CapacityKey(d, "TP=1"),
                new EngineCapacity(d, Mappings.tp(1), 500_000L, CapacitySource.CONFIG, "test", 0L, 0))).get();
            int sent = 0;
            // A prefill table of 6 ISLs (TTFT linear in ISL plus a little curvature) and a decode table of 3
            // contexts x 4 batches (ITL growing with the batch and the KV it holds).
            for (final int isl : new int[] {100, 1000, 3000, 5000, 8000, 12000}) {
                samples.send(new ProducerRecord<>(topics.samples().name(), d, sample(d, Role.PREFILL, 1, isl, 5,
                    8 + isl * 0.03 + isl * (double) isl * 2e-7, 2.0)));
                sent++;
            }
            for (final int isl : new int[] {100, 3000, 6000}) {
                for (final int n : new int[] {1, 8, 16, 32}) {
                    for (int i = 0; i < n; i++) {
                        samples.send(new ProducerRecord<>(topics.samples().name(), d, sample(d, Role.DECODE, n, isl,
                            500, 30.0, 9 + 0.15 * n + n * (isl + 250) * 2e-5)));
                        sent++;
                    }
                }
            }
            samples.flush();
            final long total = sent;
            final String base = sink.url() + "/api/recommendations/" + SafeNames.deployment(d) + "/default";
            final Path folder = dir.resolve(SafeNames.deployment(d)).resolve("default");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                    HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && JSON.readTree(r.body()).path("samples_total").asLong() == total
                    && Files.exists(folder.resolve("final_config.yaml"));
            });
            sink.awaitWritten(sink.client().latest(new RecommendationKey(d, "default"))
                .orElseThrow(), Duration.ofSeconds(30));
            final JsonNode ours = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base
                + "/query/planner?isl=3000&osl=500&itl=30")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(ours.path("prefill").path("ready").asBoolean()).as(ours.toString()).isTrue();
            assertThat(ours.path("decode").path("ready").asBoolean()).as(ours.toString()).isTrue();

            final String out = Python.runFile(python, SCRIPT, folder.toString(), "3000", "500", "500", "30");
            final String json = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
            final JsonNode theirs = JSON.readTree(json);
            // The planner accepts the files: no warning or error, from its Python logging or its runtime's.
            assertThat(theirs.path("warnings").size()).as(out).isZero();
            assertThat(out.lines().filter(l -> l.contains(" WARN") || l.contains("ERROR")).toList()).as(out).isEmpty();
            assertThat(theirs.path("layouts").size()).isEqualTo(2);
            // The planner's own PlannerConfig accepts final_config.yaml's planner-config, in advisory mode too.
            final JsonNode cfg = theirs.path("planner_config");
            assertThat(cfg.path("advisory").asBoolean()).as(out).isTrue();
            assertThat(cfg.path("ttft_ms").asDouble()).isEqualTo(500.0);
            assertThat(cfg.path("itl_ms").asDouble()).isEqualTo(30.0);
            assertThat(cfg.path("profile_results_dir").asText()).isEqualTo(
                PlannerConfigDoc.readsProfileFiles().path("profile_results_dir").asText());
            assertThat(cfg.path("sweep_mode").asText()).isEqualTo("thorough");
            System.out.println("planner peer: PlannerConfig accepted " + cfg);
            final JsonNode sp = ours.path("prefill");
            final JsonNode sd = ours.path("decode");
            for (final String layout : new String[] {"profiler_folder", "configmap_mount"}) {
                final JsonNode t = theirs.path("layouts").path(layout);
                System.out.printf(Locale.ROOT, "planner peer (%s): prefill %.6f req/s (slaprof %.6f), TTFT "
                    + "%.4f ms (%.4f); decode %.6f req/s (slaprof %.6f), ITL %.4f ms (%.4f)%n", layout,
                    t.path("prefill_rps").asDouble(), sp.path("requests_per_s_per_replica").asDouble(),
                    t.path("prefill_ttft_ms").asDouble(), sp.path("ttft_ms").asDouble(), t.path("decode_rps").asDouble(),
                    sd.path("requests_per_s_per_replica").asDouble(), t.path("decode_itl_ms").asDouble(),
                    sd.path("itl_ms").asDouble());
                assertThat(t.path("max_kv_tokens").asLong()).isEqualTo(500_000L);
                near(t.path("prefill_rps").asDouble(), sp.path("requests_per_s_per_replica").asDouble(), layout);
                near(t.path("prefill_ttft_ms").asDouble(), sp.path("ttft_ms").asDouble(), layout);
                near(t.path("decode_rps").asDouble(), sd.path("requests_per_s_per_replica").asDouble(), layout);
                near(t.path("decode_itl_ms").asDouble(), sd.path("itl_ms").asDouble(), layout);
            }
        }
    }

    private static void near(final double theirs, final double ours, final String what) {
        assertThat(theirs).as("%s: the planner's %s against slaprof's %s", what, theirs, ours).isPositive();
        assertThat(ours / theirs).as("%s: slaprof %s, planner %s", what, ours, theirs).isCloseTo(1.0, within(0.01));
    }
}
