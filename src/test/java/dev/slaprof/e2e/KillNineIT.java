package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.producer.SamplePublisher;
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
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import dev.slaprof.embedded.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;
import dev.slaprof.sink.PlannerClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once under crashes: the topology runs in a separate JVM ({@code slaprof stream}) and is killed with
 * SIGKILL five times, and restarted each time on the same state directory, while 1,000,000 samples flow. Afterwards
 * the per-bucket counts in the compacted {@code mapping-load-stats} topic sum to exactly 1,000,000 and every
 * bucket's statistics and the final recommendation equal an undisturbed computation over the same samples. On its
 * own broker and registry (the child JVM reaches the registry over HTTP). {@code -Dkill9.samples=N} changes the
 * volume.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class KillNineIT {
    private static final int SAMPLES = Integer.getInteger("kill9.samples", 1_000_000);
    private static final int KILLS = 5;
    private static final double TOLERANCE = 1e-6;

    private static Process child(final String bootstrap, final String registry, final String appId,
                                 final Path state, final Path log) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
            "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.slaprof", "-cp", System.getProperty("java.class.path"),
            "dev.slaprof.cli.Main", "stream", "--bootstrap-servers", bootstrap, "--schema-registry-url", registry,
            "--application-id", appId, "--state-dir", state.toString(), "--ttft", "200", "--itl", "40", "--isl", "3000",
            "--osl", "500",
            "--rate-limit-ms", "500"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(
            ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    @Test
    void shouldCountEverySampleOnceAcrossFiveKills() throws Exception {
        final Path work = Files.createTempDirectory("kill9-");
        final Path log = Path.of(System.getProperty("slaprof.artifacts", "target/artifacts"), "kill9-child.log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log);
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            final var client = kafka.clientProps();
            try (Admin admin = Admin.create(client)) {
                TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
            }
            final Topics topics = Topics.create(new HttpSchemaRegistryClient(registry.url()));
            final String appId = "kill9-" + UUID.randomUUID();
            final Path state = work.resolve("state");
            final List<Deployment> deployments = List.of(
                new Deployment("kill9/a", Backend.VLLM, "", "H200-SXM", ""),
                new Deployment("kill9/b", Backend.SGLANG, "", "H100-SXM", ""),
                new Deployment("kill9/c", Backend.TRTLLM, "", "B200", ""));
            final Map<Deployment, Map<StatsKey, MappingLoadStats>> expected = new HashMap<>();
            final Random random = new Random(99);
            Process proc = child(kafka.bootstrapServers(), registry.url(), appId, state, log);
            int kills = 0;
            final long t0 = System.nanoTime();
            final CompactedTopicReader<StatsKey, MappingLoadStats> stats = new CompactedTopicReader<>(client,
                topics.stats().name(), topics.stats().keySerde().deserializer(),
                topics.stats().valueSerde().deserializer());
            long countedAtKill = 0;
            try (SamplePublisher publisher = new SamplePublisher(client, topics)) {
                for (int i = 0; i < SAMPLES; i++) {
                    if (i > 0 && i % (SAMPLES / (KILLS + 1)) == 0 && kills < KILLS) {
                        publisher.flush();
                        // Kill only once the child (re)started has committed new statistics: state restored and
                        // transactions flowing, so each kill lands in the middle of real work.
                        final long before = countedAtKill;
                        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                            .until(() -> total(stats) > before);
                        countedAtKill = total(stats);
                        proc.destroyForcibly().waitFor();
                        kills++;
                        System.out.printf("kill -9 #%d after %d samples (%.1f s)%n", kills, i,
                            (System.nanoTime() - t0) / 1e9);
                        proc = child(kafka.bootstrapServers(), registry.url(), appId, state, log);
                    }
                    final Deployment d = deployments.get(i % deployments.size());
                    final boolean prefill = random.nextBoolean();
                    final Mapping m = Mappings.tp(1 << random.nextInt(3));
                    final LatencySample s;
                    if (prefill) {
                        final double ttft = (150.0 / m.getGpus() + 20) * (1 + 0.1 * random.nextGaussian());
                        s = LatencySamples.ok(d, Role.PREFILL, m, LatencySamples.source(SourceKind.BENCHMARK, "kill9",
                            null), 1, 3000, 5, 1_764_000_000_000_000L + i, Math.max(1, ttft), 2.0);
                    } else {
                        final int n = 1 << random.nextInt(6);
                        final double itl = (8 + n * 0.6 / m.getGpus()) * (1 + 0.05 * random.nextGaussian());
                        s = LatencySamples.ok(d, Role.DECODE, m, LatencySamples.source(SourceKind.BENCHMARK, "kill9",
                            null), n, 3000, 200, 1_764_000_000_000_000L + i, 40.0, Math.max(0.1, itl));
                    }
                    final StatsKey key = Keys.bucket(s);
                    expected.computeIfAbsent(d, x -> new HashMap<>()).compute(key, (x, st) -> LatencyStats.add(
                        st == null ? LatencyStats.empty(s, key.getInFlight(), key.getIsl()) : st, s));
                    publisher.publish(s);
                }
                publisher.flush();
                assertThat(publisher.failed()).isZero();
            }
            System.out.printf("%d samples published with %d kills in %.1f s%n", SAMPLES, kills,
                (System.nanoTime() - t0) / 1e9);
            try (stats; PlannerClient planner = new PlannerClient(client, topics)) {
                Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                    .until(() -> total(stats) >= SAMPLES);
                // A duplicate from a replayed transaction would show as an overshoot: the count must hold for 3 s.
                Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15))
                    .until(() -> total(stats) == SAMPLES);
                final long counted = total(stats);
                System.out.printf("counted %d of %d samples after %d kills, %.1f s after the first was sent%n",
                    counted, SAMPLES, kills, (System.nanoTime() - t0) / 1e9);
                assertThat(counted).isEqualTo(SAMPLES);
                assertThat(kills).isEqualTo(KILLS);
                assertThat(stats.undecodable()).isZero();
                final SlaTarget sla = SlaTargets.of("default", 200.0, 40.0, 3000, 500, Statistic.MEAN, 1, 1024, 1, false);
                for (final Deployment d : deployments) {
                    final Map<StatsKey, MappingLoadStats> want = expected.get(d);
                    for (final var e : want.entrySet()) {
                        final MappingLoadStats got = stats.latest(e.getKey()).orElseThrow();
                        final MappingLoadStats w = LatencyStats.refreshPercentiles(e.getValue());
                        assertThat(got.getOkCount()).as(e.getKey().toString()).isEqualTo(w.getOkCount());
                        assertThat(got.getTtft().getMeanMs()).isCloseTo(w.getTtft().getMeanMs(), within(TOLERANCE));
                        assertThat(got.getItl().getP99Ms()).isEqualTo(w.getItl().getP99Ms());
                    }
                    final RecommendationKey key = new RecommendationKey(d, "default");
                    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> planner.latest(key)
                        .map(Recommendation::getSamplesTotal).orElse(0L) == want.values().stream()
                        .mapToLong(MappingLoadStats::getOkCount).sum());
                    final Recommendation got = planner.latest(key).orElseThrow();
                    final Recommendation ref = Recommender.recommend(d, sla, new ArrayList<>(want.values()), Map.of(),
                        null, 0);
                    assertThat(got.getPrefill().getPoint().getLabel()).isEqualTo(ref.getPrefill().getPoint().getLabel());
                    assertThat(got.getPrefill().getPoint().getLatencyMs())
                        .isCloseTo(ref.getPrefill().getPoint().getLatencyMs(), within(TOLERANCE));
                    assertThat(got.getDecode().getPoint().getLabel()).isEqualTo(ref.getDecode().getPoint().getLabel());
                    assertThat(got.getDecode().getPoint().getInFlight())
                        .isEqualTo(ref.getDecode().getPoint().getInFlight());
                    assertThat(got.getDecode().getPoint().getThptPerGpu())
                        .isCloseTo(ref.getDecode().getPoint().getThptPerGpu(), within(TOLERANCE));
                }
            }
        } finally {
            ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static long total(final CompactedTopicReader<StatsKey, MappingLoadStats> stats) {
        return stats.all().values().stream().mapToLong(MappingLoadStats::getOkCount).sum();
    }
}
