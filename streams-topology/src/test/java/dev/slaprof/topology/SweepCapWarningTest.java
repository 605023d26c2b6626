package dev.slaprof.topology;

import dev.slaprof.domain.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.CapacityKey;
import dev.slaprof.schema.avro.CapacitySource;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Statistic;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** A decode sweep capped below its KV capacity (the HTTP fleet's 128) is named in the recommendation's warnings. */
class SweepCapWarningTest {
    private static final Duration RATE = Duration.ofMillis(250);
    private final Topics topics = Topics.create(new InMemorySchemaRegistry());

    @Test
    void shouldWarnOfACappedDecodeSweep() throws Exception {
        try (TopologyTestDriver d = TestDrivers.driver(topics, Fixtures.sla(500, 50, Statistic.MEAN), new Properties())) {
            final var caps = d.createInputTopic(TopicNames.ENGINE_CAPACITY, topics.capacity().keySerde().serializer(),
                topics.capacity().valueSerde().serializer());
            caps.pipeInput(new CapacityKey(Fixtures.DEPLOYMENT, "TP=2"), new EngineCapacity(Fixtures.DEPLOYMENT,
                Mappings.tp(2), 1_000_000L, CapacitySource.METRICS, "test", 0L, 128));
            caps.pipeInput(new CapacityKey(Fixtures.DEPLOYMENT, "TP=1"), new EngineCapacity(Fixtures.DEPLOYMENT,
                Mappings.tp(1), 500_000L, CapacitySource.METRICS, "test", 0L, 0));
            final var in = d.createInputTopic(TopicNames.LATENCY_SAMPLES, topics.samples().keySerde().serializer(),
                topics.samples().valueSerde().serializer());
            in.pipeInput(Fixtures.DEPLOYMENT, Fixtures.decode(Mappings.tp(2), 16, 20));
            d.advanceWallClockTime(RATE);
            final List<Recommendation> recs = d.createOutputTopic(TopicNames.RECOMMENDATIONS,
                topics.recommendations().keySerde().deserializer(), topics.recommendations().valueSerde()
                    .deserializer()).readValuesToList();
            assertThat(recs).isNotEmpty();
            final List<String> warnings = recs.get(recs.size() - 1).getWarnings();
            assertThat(warnings).anyMatch(w -> w.startsWith("The decode sweep of TP=2 was capped at 128"));
            assertThat(warnings).noneMatch(w -> w.contains("TP=1 was capped"));
        }
    }
}
