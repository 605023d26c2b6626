package dev.slaprof.topology;

import dev.slaprof.domain.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.RequestStatus;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.avro.StatusCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class SlaprofTopologyTest {
    private static final double TOLERANCE = 1e-9;
    private static final Duration RATE = Duration.ofMillis(250);

    private final Topics topics = Topics.create(new InMemorySchemaRegistry());

    private TopologyTestDriver driver(final SlaTarget defaultSla) throws Exception {
        return driver(defaultSla, new Properties());
    }

    private TopologyTestDriver driver(final SlaTarget defaultSla, final Properties extra) throws Exception {
        final Properties p = new Properties();
        p.putAll(extra);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("tt-state").toString());
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        final Topology t = SlaprofTopology.build(p, topics, defaultSla, RATE);
        return new TopologyTestDriver(t, p);
    }

    private TestInputTopic<Deployment, LatencySample> samples(final TopologyTestDriver d) {
        return d.createInputTopic(TopicNames.LATENCY_SAMPLES, topics.samples().keySerde().serializer(),
            topics.samples().valueSerde().serializer());
    }

    private TestOutputTopic<RecommendationKey, Recommendation> recommendations(final TopologyTestDriver d) {
        return d.createOutputTopic(TopicNames.RECOMMENDATIONS, topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
    }

    private static void send(final TestInputTopic<Deployment, LatencySample> in, final LatencySample s) {
        in.pipeInput(s.getDeployment(), s);
    }

    private static Recommendation latest(final TestOutputTopic<RecommendationKey, Recommendation> out) {
        final Map<RecommendationKey, Recommendation> map = out.readKeyValuesToMap();
        assertThat(map).hasSize(1);
        return map.values().iterator().next();
    }

    @Test
    void shouldNameEveryInternalResource() throws Exception {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "describe");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        final String d = SlaprofTopology.build(p, topics, Fixtures.sla(50, 10, Statistic.MEAN), RATE).describe()
            .toString();
        assertThat(d).contains(TopologyNames.BUCKET_STATS_STORE, TopologyNames.DEDUP_STORE, "profile",
            "deduplicate").doesNotContain("KSTREAM-", "KTABLE-", "repartition");
        // Three global stores (sub-topologies 0 to 2) and one sub-topology for the samples.
        assertThat(d).contains("Sub-topology: 3\n").doesNotContain("Sub-topology: 4");
    }

    @Test
    void shouldAggregateStatisticsPerBucketAndCountWarmupAndFailuresApart() throws Exception {
        try (TopologyTestDriver d = driver(Fixtures.sla(50, 10, Statistic.MEAN))) {
            final var in = samples(d);
            for (final double ttft : new double[] {100, 200, 300}) {
                send(in, Fixtures.prefill(Mappings.tp(1), 3000, ttft));
            }
            final LatencySample warm = Fixtures.prefill(Mappings.tp(1), 3000, 5000);
            warm.setPhase(Phase.WARMUP);
            send(in, warm);
            final LatencySample failed = Fixtures.prefill(Mappings.tp(1), 3000, 1);
            failed.setStatus(new RequestStatus(StatusCode.ERROR, 500, "HttpError", "boom"));
            failed.setTtftMs(null);
            send(in, failed);
            d.advanceWallClockTime(RATE);
            final Map<StatsKey, MappingLoadStats> stats = d.createOutputTopic(TopicNames.MAPPING_LOAD_STATS,
                topics.stats().keySerde().deserializer(), topics.stats().valueSerde().deserializer())
                .readKeyValuesToMap();
            assertThat(stats).hasSize(1);
            final MappingLoadStats s = stats.values().iterator().next();
            assertThat(s.getOkCount()).isEqualTo(3);
            assertThat(s.getWarmupCount()).isEqualTo(1);
            assertThat(s.getFailedCount()).isEqualTo(1);
            assertThat(s.getTtft().getMeanMs()).isCloseTo(200, within(TOLERANCE));
            assertThat(LatencyStats.stddev(s.getTtft())).isCloseTo(100, within(TOLERANCE));
            assertThat(s.getTtft().getP50Ms()).isCloseTo(200, within(0.2));
        }
    }

    @Test
    void shouldCountARedeliveredSampleOnce() throws Exception {
        try (TopologyTestDriver d = driver(Fixtures.sla(50, 10, Statistic.MEAN))) {
            final var in = samples(d);
            final LatencySample s = Fixtures.prefill(Mappings.tp(1), 3000, 100);
            in.pipeInput(s.getDeployment(), s, 1_000L);
            in.pipeInput(s.getDeployment(), s, 2_000L);
            in.pipeInput(s.getDeployment(), s, 1_000L + TopologyNames.DEDUP_WINDOW.toMillis() - 1);
            send(in, Fixtures.prefill(Mappings.tp(1), 3000, 200));
            d.advanceWallClockTime(RATE);
            final MappingLoadStats st = d.createOutputTopic(TopicNames.MAPPING_LOAD_STATS,
                topics.stats().keySerde().deserializer(), topics.stats().valueSerde().deserializer())
                .readKeyValuesToMap().values().iterator().next();
            assertThat(st.getOkCount()).isEqualTo(2);
            assertThat(st.getTtft().getMeanMs()).isCloseTo(150, within(TOLERANCE));
        }
    }

    @Test
    void shouldForgetTheOldestIdsEarlyAtTheConfiguredCapacityAndCountThem() throws Exception {
        final Properties small = new Properties();
        small.put(TopologyNames.DEDUP_MAX_IDS_CONFIG, "2");
        try (TopologyTestDriver d = driver(Fixtures.sla(50, 10, Statistic.MEAN), small)) {
            final var in = samples(d);
            final List<LatencySample> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                final LatencySample s = Fixtures.prefill(Mappings.tp(1), 3000, 100);
                sent.add(s);
                // One-minute slots: each sample in its own, so the capacity of 2 forgets the oldest ones.
                in.pipeInput(s.getDeployment(), s, 1_000L + i * 61_000L);
            }
            in.pipeInput(sent.get(0).getDeployment(), sent.get(0), 300_000L);
            in.pipeInput(sent.get(4).getDeployment(), sent.get(4), 300_001L);
            d.advanceWallClockTime(RATE);
            final MappingLoadStats st = d.createOutputTopic(TopicNames.MAPPING_LOAD_STATS,
                topics.stats().keySerde().deserializer(), topics.stats().valueSerde().deserializer())
                .readKeyValuesToMap().values().iterator().next();
            assertThat(st.getOkCount()).as("the first id was forgotten early, the last one was not").isEqualTo(6);
            final double evicted = d.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("dedup-evicted-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
            assertThat(evicted).isGreaterThanOrEqualTo(3);
        }
        small.put(TopologyNames.DEDUP_MAX_IDS_CONFIG, "lots");
        assertThatThrownBy(() -> driver(Fixtures.sla(50, 10, Statistic.MEAN), small))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("slaprof.dedup.max.ids must be a positive number of ids, got 'lots'");
    }

    @Test
    void shouldDeadLetterInvalidSamplesWithTheReason() throws Exception {
        try (TopologyTestDriver d = driver(Fixtures.sla(50, 10, Statistic.MEAN))) {
            final LatencySample bad = Fixtures.prefill(Mappings.tp(1), 3000, Double.NaN);
            final LatencySample noMapping = Fixtures.prefill(Mappings.tp(1), 3000, 10);
            noMapping.setMapping(null);
            send(samples(d), bad);
            send(samples(d), noMapping);
            d.advanceWallClockTime(RATE);
            final List<TestRecord<String, byte[]>> dead = d.createOutputTopic(TopicNames.DEAD_LETTERS,
                Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecordsToList();
            assertThat(dead).hasSize(2);
            assertThat(new String(dead.get(0).headers().lastHeader(TopologyNames.DLQ_REASON_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("ttft_ms is not a finite number");
            assertThat(new String(dead.get(1).headers().lastHeader(TopologyNames.DLQ_REASON_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("missing mapping");
            assertThat(d.createOutputTopic(TopicNames.MAPPING_LOAD_STATS, topics.stats().keySerde().deserializer(),
                topics.stats().valueSerde().deserializer()).isEmpty()).isTrue();
        }
    }

    @Test
    void shouldRecomputeEveryRecommendationWhenTheSlaChanges() throws Exception {
        try (TopologyTestDriver d = driver(Fixtures.sla(120, 30, Statistic.MEAN))) {
            final var in = samples(d);
            // TP1: 3000/100*1000 = 30000 tok/s/GPU; TP2: 3000/60*1000/2 = 25000.
            send(in, Fixtures.prefill(Mappings.tp(1), 3000, 100));
            send(in, Fixtures.prefill(Mappings.tp(2), 3000, 60));
            send(in, Fixtures.decode(Mappings.tp(1), 8, 20));
            d.advanceWallClockTime(RATE);
            final var out = recommendations(d);
            Recommendation r = latest(out);
            assertThat(r.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
            assertThat(r.getPrefill().getPoint().getThptPerGpu()).isCloseTo(30_000, within(TOLERANCE));
            assertThat(r.getPrefill().getFeasible()).isTrue();

            final var sla = d.createInputTopic(TopicNames.SLA_TARGETS, topics.slaTargets().keySerde().serializer(),
                topics.slaTargets().valueSerde().serializer());
            sla.pipeInput(new ProfileKey("default"), Fixtures.sla(80, 30, Statistic.MEAN));
            d.advanceWallClockTime(RATE);
            r = latest(out);
            assertThat(r.getPrefill().getPoint().getLabel()).isEqualTo("TP=2");
            assertThat(r.getSla().getTtftMs()).isEqualTo(80);
        }
    }

    @Test
    void shouldRecomputeWithAPinFromTheSelectionsTopicAndDropItOnATombstone() throws Exception {
        try (TopologyTestDriver d = driver(Fixtures.sla(120, 30, Statistic.MEAN))) {
            final var in = samples(d);
            send(in, Fixtures.prefill(Mappings.tp(1), 3000, 100));
            send(in, Fixtures.prefill(Mappings.tp(2), 3000, 60));
            send(in, Fixtures.decode(Mappings.tp(1), 8, 20));
            d.advanceWallClockTime(RATE);
            final var out = recommendations(d);
            assertThat(latest(out).getPrefill().getPoint().getLabel()).isEqualTo("TP=1");

            final var sel = d.createInputTopic(TopicNames.SELECTIONS, topics.selections().keySerde().serializer(),
                topics.selections().valueSerde().serializer());
            final var key = new RecommendationKey(Fixtures.DEPLOYMENT, "default");
            sel.pipeInput(key, new PinnedChoice("TP=2", null, null, 1L, "test"));
            d.advanceWallClockTime(RATE);
            Recommendation r = latest(out);
            assertThat(r.getPrefill().getPoint().getLabel()).isEqualTo("TP=2");
            assertThat(r.getPinned().getPrefillLabel()).isEqualTo("TP=2");
            assertThat(r.getAutomaticPrefill().getPoint().getLabel()).isEqualTo("TP=1");

            sel.pipeInput(key, null);
            d.advanceWallClockTime(RATE);
            r = latest(out);
            assertThat(r.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
            assertThat(r.getPinned()).isNull();
        }
    }

    private static LatencySample at(final LatencySample s, final long offsetSeconds) {
        s.setEventTimeUs(Fixtures.T0_US + offsetSeconds * 1_000_000);
        return s;
    }

    @Test
    void shouldAgeSamplesOutBeyondTheHorizon() throws Exception {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test-horizon");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("tt-state").toString());
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        final Topology t = SlaprofTopology.build(p, topics, Fixtures.sla(120, 30, Statistic.MEAN), RATE,
            Duration.ofSeconds(10));
        assertThat(t.describe().toString()).contains(TopologyNames.BUCKET_PREVIOUS_STORE);
        try (TopologyTestDriver d = new TopologyTestDriver(t, p,
                Instant.ofEpochMilli(Fixtures.T0_US / 1000))) {
            final var in = samples(d);
            final var stats = d.createOutputTopic(TopicNames.MAPPING_LOAD_STATS, topics.stats().keySerde()
                .deserializer(), topics.stats().valueSerde().deserializer());
            for (int i = 0; i < 3; i++) {
                send(in, at(Fixtures.prefill(Mappings.tp(1), 3000, 100), i));
            }
            d.advanceWallClockTime(RATE);
            // 6 s later (past half the horizon): a new generation; the old one still counts.
            send(in, at(Fixtures.prefill(Mappings.tp(1), 3000, 200), 6));
            d.advanceWallClockTime(RATE);
            var st = stats.readValuesToList();
            assertThat(st.get(st.size() - 1).getOkCount()).isEqualTo(4);
            assertThat(st.get(st.size() - 1).getTtft().getMeanMs()).isCloseTo(125.0, within(TOLERANCE));
            // 12 s: the first generation (0-2 s) is more than a horizon old and leaves; 200 and 300 remain.
            send(in, at(Fixtures.prefill(Mappings.tp(1), 3000, 300), 12));
            d.advanceWallClockTime(RATE);
            st = stats.readValuesToList();
            assertThat(st.get(st.size() - 1).getOkCount()).isEqualTo(2);
            assertThat(st.get(st.size() - 1).getTtft().getMeanMs()).isCloseTo(250.0, within(TOLERANCE));
            assertThat(latest(recommendations(d)).getPrefill().getPoint().getLatencyMs())
                .isCloseTo(250.0, within(TOLERANCE));
            // No samples for longer than the horizon (wall clock): the bucket is deleted with a tombstone.
            d.advanceWallClockTime(Duration.ofSeconds(25));
            d.advanceWallClockTime(RATE);
            final var records = stats.readRecordsToList();
            assertThat(records).isNotEmpty();
            assertThat(records.get(records.size() - 1).value()).isNull();
            assertThat(latest(recommendations(d)).getPrefill()).isNull();
        }
    }

    @Test
    void shouldPickDifferentlyUnderAPercentileThanUnderTheMean() throws Exception {
        for (final Statistic stat : new Statistic[] {Statistic.MEAN, Statistic.P50}) {
            try (TopologyTestDriver d = driver(Fixtures.sla(100, 30, stat))) {
                final var in = samples(d);
                // TP1: fast median, slow tail (mean 154 ms); TP2: steady 80 ms.
                for (int i = 0; i < 20; i++) {
                    send(in, Fixtures.prefill(Mappings.tp(1), 3000, i < 18 ? 60 : 1000));
                    send(in, Fixtures.prefill(Mappings.tp(2), 3000, 80));
                }
                d.advanceWallClockTime(RATE);
                final Recommendation r = latest(recommendations(d));
                assertThat(r.getPrefill().getPoint().getLabel()).as(stat.name())
                    .isEqualTo(stat == Statistic.MEAN ? "TP=2" : "TP=1");
            }
        }
    }

    @Test
    void shouldNotRecomputeMoreThanOncePerInterval() throws Exception {
        try (TopologyTestDriver d = driver(Fixtures.sla(120, 30, Statistic.MEAN))) {
            final var in = samples(d);
            for (int i = 0; i < 50; i++) {
                send(in, Fixtures.prefill(Mappings.tp(1), 3000, 100 + i));
            }
            d.advanceWallClockTime(RATE);
            final var out = recommendations(d);
            assertThat(out.readRecordsToList()).hasSize(1);
        }
    }
}
