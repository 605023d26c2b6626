package dev.slaprof.topology;

import dev.slaprof.domain.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.DeadLetter;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Statistic;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * A failure is contained to what failed: one deployment's recomputation throwing leaves the other deployments'
 * recommendations coming, and is counted and dead-lettered with its reason; a failure in the stream thread itself
 * surfaces (it is not swallowed), so the runner can stop the application and say why.
 */
class FailureContainmentTest {
    private static final Duration RATE = Duration.ofMillis(250);
    private static final Deployment BAD = new Deployment("Broken/Model", Backend.VLLM, "0.11.0", "H200-SXM", "t1");
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Topics topics = Topics.create(registry);

    private TopologyTestDriver driver(final String key, final String model) throws Exception {
        final Properties p = new Properties();
        p.put(key, model);
        return TestDrivers.driver(topics, Fixtures.sla(500, 50, Statistic.MEAN), p);
    }

    private TestInputTopic<Deployment, LatencySample> samples(final TopologyTestDriver d) {
        return d.createInputTopic(TopicNames.LATENCY_SAMPLES, topics.samples().keySerde().serializer(),
            topics.samples().valueSerde().serializer());
    }

    private static LatencySample of(final Deployment d, final double ttft) {
        final LatencySample s = Fixtures.prefill(Mappings.tp(1), 3000, ttft);
        s.setDeployment(d);
        return s;
    }

    @Test
    void shouldKeepRecommendingTheOtherDeploymentsWhenOneRecomputationFails() throws Exception {
        try (TopologyTestDriver d = driver(TopologyNames.FAULT_RECOMPUTE_MODEL_CONFIG, BAD.getModel())) {
            final var in = samples(d);
            for (int round = 0; round < 3; round++) {
                in.pipeInput(Fixtures.DEPLOYMENT, of(Fixtures.DEPLOYMENT, 100 + round));
                in.pipeInput(BAD, of(BAD, 100 + round));
                d.advanceWallClockTime(RATE);
            }
            final List<Recommendation> recs = d.createOutputTopic(TopicNames.RECOMMENDATIONS,
                topics.recommendations().keySerde().deserializer(), topics.recommendations().valueSerde()
                    .deserializer()).readValuesToList();
            assertThat(recs).hasSize(3).allMatch(r -> r.getDeployment().equals(Fixtures.DEPLOYMENT));
            assertThat(recs.get(2).getSamplesTotal()).isEqualTo(3);
            final List<SpecificRecord> dead = d.createOutputTopic(TopicNames.DEAD_LETTERS,
                Serdes.ByteArray().deserializer(), AvroSerde.anySpecific(registry, false).deserializer())
                .readValuesToList();
            assertThat(dead).hasSize(3);
            for (final SpecificRecord v : dead) {
                assertThat(v).isInstanceOf(DeadLetter.class);
                assertThat(((DeadLetter) v).getReason()).contains("recomputation failed", "injected fault");
            }
            final double failures = d.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("recompute-failures-total"))
                .mapToDouble(e -> (Double) e.getValue().metricValue()).sum();
            assertThat(failures).isEqualTo(3.0);
        }
    }

    @Test
    void shouldSurfaceAFailureOfTheStreamThreadItself() throws Exception {
        try (TopologyTestDriver d = driver(TopologyNames.FAULT_PROCESS_MODEL_CONFIG, BAD.getModel())) {
            final var in = samples(d);
            in.pipeInput(Fixtures.DEPLOYMENT, of(Fixtures.DEPLOYMENT, 100));
            assertThatThrownBy(() -> in.pipeInput(BAD, of(BAD, 100))).hasStackTraceContaining("injected fault");
        }
    }

    @Test
    void shouldNameTheInnermostCause() {
        final Exception e = new IllegalStateException("task failed", new IOException("disk full"));
        assertThat(StreamsRunner.describe(e)).isEqualTo(
            "IllegalStateException: task failed (caused by IOException: disk full)");
    }
}
