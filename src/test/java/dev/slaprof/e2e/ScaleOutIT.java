package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.sink.PlannerClient;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two topology instances with one application id share the input partitions; one is stopped mid-stream and the
 * other takes its work over (restoring its state from the changelog). The recommendations read from the compacted
 * topic equal a single computation over the same samples.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ScaleOutIT {
    private static final int PER_DEPLOYMENT = 600;
    private static final double TOLERANCE = 1e-9;

    @Test
    void shouldHandOverWorkAndMatchASingleComputation(final TestBroker broker) throws Exception {
        final Topics topics = broker.ownTopics("scale-out-it", new InMemorySchemaRegistry());
        final String appId = "scale-" + UUID.randomUUID();
        final SlaTarget sla = SlaTargets.of("default", 150.0, 50.0, 3000, 500, Statistic.MEAN, 1, 8, 1, false);
        final List<Deployment> deployments = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            deployments.add(new Deployment("scale/model-" + k, Backend.VLLM, "", "H200-SXM", appId));
        }
        final KafkaStreams a = instance(broker, topics, appId, sla);
        final KafkaStreams b = instance(broker, topics, appId, sla);
        final Map<Deployment, Map<StatsKey, MappingLoadStats>> expected = new HashMap<>();
        try (b; SamplePublisher publisher = new SamplePublisher(broker.clientProps(), topics);
             PlannerClient planner = new PlannerClient(broker.clientProps(), topics)) {
            a.start();
            b.start();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> running(a) && running(b));
            final Random r = new Random(11);
            for (int i = 0; i < 3 * PER_DEPLOYMENT; i++) {
                if (i == 3 * PER_DEPLOYMENT / 2) {
                    publisher.flush();
                    // Scale-in as an operator does it: leave the group, so B takes over at once, not after the
                    // session timeout (45 s).
                    a.close(CloseOptions.groupMembershipOperation(
                        CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
                    System.out.println("instance A stopped after " + i + " samples");
                }
                final Deployment d = deployments.get(i % 3);
                final LatencySample s = LatencySamples.ok(d, Role.PREFILL, Mappings.tp(1 + (i / 3) % 2),
                    LatencySamples.source(SourceKind.BENCHMARK, "scale-it", null), 1, 3000, 5,
                    1_764_000_000_000_000L, 60 + r.nextInt(80), 2.0);
                final var key = Keys.bucket(s);
                expected.computeIfAbsent(d, x -> new HashMap<>()).compute(key, (x, st) -> LatencyStats.add(
                    st == null ? LatencyStats.empty(s, key.getInFlight(), key.getIsl()) : st, s));
                publisher.publish(s);
            }
            publisher.flush();
            for (final Deployment d : deployments) {
                final RecommendationKey key = new RecommendationKey(d, "default");
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                        .until(() -> planner.latest(key).map(Recommendation::getSamplesTotal).orElse(0L)
                            >= PER_DEPLOYMENT);
                } catch (final ConditionTimeoutException e) {
                    // Say whether samples were lost (a count stuck below) or B stopped making progress.
                    throw new AssertionError(d.getModel() + ": " + planner.latest(key).map(
                        Recommendation::getSamplesTotal).orElse(-1L) + " of " + PER_DEPLOYMENT + " samples; B is "
                        + b.state() + ", its tasks " + b.metadataForLocalThreads(), e);
                }
                final Recommendation got = planner.latest(key).orElseThrow();
                final List<MappingLoadStats> stats = new ArrayList<>(expected.get(d).values());
                stats.forEach(LatencyStats::refreshPercentiles);
                final Recommendation want = Recommender.recommend(d, sla, stats, Map.of(), null, 0);
                assertThat(got.getSamplesTotal()).isEqualTo(PER_DEPLOYMENT);
                assertThat(got.getPrefill().getPoint().getLabel()).isEqualTo(want.getPrefill().getPoint().getLabel());
                assertThat(got.getPrefill().getPoint().getLatencyMs())
                    .isCloseTo(want.getPrefill().getPoint().getLatencyMs(), within(TOLERANCE));
                assertThat(got.getPrefillPoints()).hasSameSizeAs(want.getPrefillPoints());
            }
            // B keeps running (a follow-up probing rebalance after A left may be under way at this instant).
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> b.state() == KafkaStreams.State.RUNNING);
        } finally {
            a.close(Duration.ofSeconds(10));
        }
    }

    private static boolean running(final KafkaStreams s) {
        return s.state() == KafkaStreams.State.RUNNING && !s.metadataForLocalThreads().iterator().next().activeTasks()
            .isEmpty();
    }

    private static KafkaStreams instance(final TestBroker broker, final Topics topics, final String appId,
                                         final SlaTarget sla) throws Exception {
        final Properties p = StreamsSettings.defaults(broker.clientProps(), topics, appId,
            Files.createTempDirectory("scale-state"));
        return new KafkaStreams(SlaprofTopology.build(p, topics, sla, Duration.ofMillis(250)), p);
    }
}
