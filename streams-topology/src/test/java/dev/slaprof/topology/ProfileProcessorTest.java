package dev.slaprof.topology;

import dev.slaprof.domain.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.DeadLetter;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.topology.store.ObjectBufferStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The profile processor alone, on Kafka Streams' {@link MockProcessorContext} with in-memory stores: what a flush
 * forwards, when a deployment is recomputed, the horizon's generations, a restart on the same stores, and a failing
 * recomputation contained to its deployment. Each runs in milliseconds; the whole-topology behaviour is in
 * {@code SlaprofTopologyTest}, the crash behaviour in {@code KillNineIT}.
 */
class ProfileProcessorTest {
    private static final Duration RATE = Duration.ofMillis(250);
    private static final Deployment OTHER = new Deployment("Other/Model", Backend.SGLANG, "0.5", "H100-SXM", "t1");
    private final SlaTarget sla = Fixtures.sla(500, 50, Statistic.MEAN);
    private KeyValueStore<String, MappingLoadStats> stats;
    private KeyValueStore<String, MappingLoadStats> previous;
    private KeyValueStore<String, Recommendation> recommendations;
    private TimestampedKeyValueStore<ProfileKey, SlaTarget> profiles;
    private List<? extends KeyValueStore<?, ?>> stores;

    /** A context holding the processor's stores (new ones, unless a test keeps them across a restart). */
    private MockProcessorContext<SpecificRecord, SpecificRecord> context(final Properties extra) {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "profile-processor-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.putAll(extra);
        final MockProcessorContext<SpecificRecord, SpecificRecord> ctx = new MockProcessorContext<>(p);
        if (stores == null) {
            // The mock's store context names one changelog topic for every store: one registry per store, so each
            // serde registers its own schema under that subject.
            stats = ObjectBufferStore.wrapRetained(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(TopologyNames.BUCKET_STATS_STORE), Serdes.String(),
                own().stats().valueSerde())).withLoggingDisabled().build();
            previous = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TopologyNames.BUCKET_PREVIOUS_STORE),
                Serdes.String(), own().stats().valueSerde()).withLoggingDisabled().build();
            recommendations = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                TopologyNames.RECOMMENDATION_STORE), Serdes.String(), own().recommendations().valueSerde())
                .withLoggingDisabled().build();
            final Topics sla = own();
            profiles = global(TopologyNames.SLA_STORE, sla.slaTargets().keySerde(), sla.slaTargets().valueSerde());
            final Topics capacity = own();
            final Topics selections = own();
            stores = List.of(stats, previous, recommendations, profiles,
                global(TopologyNames.CAPACITY_STORE, capacity.capacity().keySerde(), capacity.capacity().valueSerde()),
                global(TopologyNames.SELECTION_STORE, selections.selections().keySerde(),
                    selections.selections().valueSerde()));
            for (final KeyValueStore<?, ?> store : stores) {
                store.init(ctx.getStateStoreContext(), store);
            }
        }
        stores.forEach(ctx::addStateStore);
        return ctx;
    }

    private static Topics own() {
        return Topics.create(new InMemorySchemaRegistry());
    }

    private static <K, V> TimestampedKeyValueStore<K, V> global(final String name, final Serde<K> k, final Serde<V> v) {
        return Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), k, v).withLoggingDisabled()
            .build();
    }

    private static ProfileProcessor started(final MockProcessorContext<SpecificRecord, SpecificRecord> ctx,
                                            final SlaTarget sla, final Duration horizon) {
        final ProfileProcessor p = new ProfileProcessor(sla, RATE, horizon);
        p.init(ctx);
        return p;
    }

    private static void send(final ProfileProcessor p, final LatencySample s) {
        p.process(new Record<>(new byte[0], s, s.getEventTimeUs() / 1000));
    }

    /** Runs the flush punctuation (the one at the rate limit) and returns what it forwarded. */
    private static List<Record<SpecificRecord, SpecificRecord>> flush(
        final MockProcessorContext<SpecificRecord, SpecificRecord> ctx) {
        ctx.resetForwards();
        ctx.scheduledPunctuators().stream().filter(c -> c.getInterval().equals(RATE)).findFirst().orElseThrow()
            .getPunctuator().punctuate(System.currentTimeMillis());
        final List<Record<SpecificRecord, SpecificRecord>> out = new ArrayList<>();
        ctx.forwarded().forEach(f -> out.add(new Record<>(f.record().key(), f.record().value(), f.record().timestamp())));
        return out;
    }

    private static List<MappingLoadStats> statsOf(final List<Record<SpecificRecord, SpecificRecord>> out) {
        return out.stream().filter(r -> r.key() instanceof StatsKey).map(r -> (MappingLoadStats) r.value()).toList();
    }

    private static List<Recommendation> recommendationsOf(final List<Record<SpecificRecord, SpecificRecord>> out) {
        return out.stream().filter(r -> r.value() instanceof Recommendation).map(r -> (Recommendation) r.value())
            .toList();
    }

    private static LatencySample at(final LatencySample s, final long eventUs) {
        s.setEventTimeUs(eventUs);
        return s;
    }

    @Test
    void shouldForwardEachChangedBucketOnceAndOneRecommendationPerDeploymentAtTheFlushOnly() {
        final var ctx = context(new Properties());
        final ProfileProcessor p = started(ctx, sla, null);
        for (int i = 0; i < 10; i++) {
            send(p, Fixtures.prefill(Mappings.tp(1), 3000, 100 + i));
            send(p, Fixtures.prefill(Mappings.tp(2), 3000, 60));
        }
        assertThat(ctx.forwarded()).as("nothing leaves before the flush").isEmpty();
        final var out = flush(ctx);
        assertThat(statsOf(out)).extracting(MappingLoadStats::getOkCount).containsExactlyInAnyOrder(10L, 10L);
        assertThat(statsOf(out)).filteredOn(s -> s.getMapping().getGpus() == 1).singleElement()
            .satisfies(s -> assertThat(s.getTtft().getMeanMs()).isEqualTo(104.5));
        assertThat(recommendationsOf(out)).singleElement()
            .satisfies(r -> assertThat(r.getSamplesTotal()).isEqualTo(20));
        assertThat(flush(ctx)).as("a flush with nothing changed forwards nothing").isEmpty();
        send(p, Fixtures.prefill(Mappings.tp(2), 3000, 61));
        final var again = flush(ctx);
        assertThat(statsOf(again)).as("only the bucket that changed").singleElement()
            .satisfies(s -> assertThat(s.getOkCount()).isEqualTo(11));
        assertThat(recommendationsOf(again)).hasSize(1);
    }

    @Test
    void shouldRecomputeOnlyTheChangedDeploymentUntilTheProfilesChangeThenEvery() {
        final var ctx = context(new Properties());
        final ProfileProcessor p = started(ctx, sla, null);
        send(p, Fixtures.prefill(Mappings.tp(1), 3000, 100));
        final LatencySample other = Fixtures.prefill(Mappings.tp(1), 3000, 100);
        other.setDeployment(OTHER);
        send(p, other);
        assertThat(recommendationsOf(flush(ctx))).hasSize(2);
        send(p, Fixtures.prefill(Mappings.tp(1), 3000, 90));
        assertThat(recommendationsOf(flush(ctx))).extracting(Recommendation::getDeployment)
            .containsExactly(Fixtures.DEPLOYMENT);
        // Two SLA profiles in the global table: every deployment, once per profile, with no new sample.
        final SlaTarget tight = Fixtures.sla(80, 20, Statistic.P90);
        tight.setProfile("tight");
        profiles.put(new ProfileKey("default"), ValueAndTimestamp.make(sla, 0));
        profiles.put(new ProfileKey("tight"), ValueAndTimestamp.make(tight, 0));
        assertThat(recommendationsOf(flush(ctx))).extracting(r -> r.getDeployment().getModel() + "/" + r.getSla().getProfile())
            .containsExactlyInAnyOrder("Qwen/Qwen3-32B/default", "Qwen/Qwen3-32B/tight", "Other/Model/default",
                "Other/Model/tight");
        assertThat(flush(ctx)).isEmpty();
    }

    @Test
    void shouldKeepTwoGenerationsUnderAHorizonAndTombstoneABucketOlderThanIt() {
        final Duration horizon = Duration.ofSeconds(10);
        final var ctx = context(new Properties());
        final ProfileProcessor p = started(ctx, sla, horizon);
        final long t0 = Fixtures.T0_US;
        send(p, at(Fixtures.prefill(Mappings.tp(1), 3000, 100), t0));
        send(p, at(Fixtures.prefill(Mappings.tp(1), 3000, 110), t0 + 4_000_000));
        assertThat(statsOf(flush(ctx))).singleElement().satisfies(s -> assertThat(s.getOkCount()).isEqualTo(2));
        // 6 s after the generation's first event (past half the horizon): a new generation; both are published.
        send(p, at(Fixtures.prefill(Mappings.tp(1), 3000, 130), t0 + 6_000_000));
        assertThat(statsOf(flush(ctx))).singleElement().satisfies(s -> {
            assertThat(s.getOkCount()).isEqualTo(3);
            assertThat(s.getTtft().getMeanMs()).isCloseTo(340.0 / 3, Offset.offset(1e-9));
        });
        assertThat(previous.approximateNumEntries()).isEqualTo(1);
        // 12 s after the new generation's start (more than the horizon): the old generations are both gone.
        send(p, at(Fixtures.prefill(Mappings.tp(1), 3000, 200), t0 + 18_000_000));
        assertThat(statsOf(flush(ctx))).singleElement().satisfies(s -> {
            assertThat(s.getOkCount()).isEqualTo(1);
            assertThat(s.getTtft().getMeanMs()).isEqualTo(200.0);
        });
        // The wall clock passes the horizon after the newest sample: a tombstone, then a recomputation.
        ctx.resetForwards();
        final long expiryMs = t0 / 1000 + 18_000 + horizon.toMillis() + 1;
        ctx.scheduledPunctuators().stream().filter(c -> !c.getInterval().equals(RATE)).findFirst().orElseThrow()
            .getPunctuator().punctuate(expiryMs);
        assertThat(ctx.forwarded()).singleElement().satisfies(f -> {
            assertThat(f.record().key()).isInstanceOf(StatsKey.class);
            assertThat(f.record().value()).isNull();
        });
        assertThat(stats.approximateNumEntries()).isZero();
        assertThat(recommendationsOf(flush(ctx))).singleElement()
            .satisfies(r -> assertThat(r.getSamplesTotal()).isZero());
    }

    @Test
    void shouldCarryOnFromTheStoresAfterARestart() {
        final var ctx = context(new Properties());
        final ProfileProcessor first = started(ctx, sla, null);
        for (int i = 0; i < 5; i++) {
            send(first, Fixtures.decode(Mappings.tp(2), 8, 20 + i));
        }
        flush(ctx);
        ObjectBufferStore.find(stats).flushCache();
        first.close();
        // A new instance on the same stores (a task moved or restarted): the bucket and the deployment come back.
        final var again = context(new Properties());
        final ProfileProcessor second = started(again, sla, null);
        final var out = flush(again);
        assertThat(recommendationsOf(out)).as("the deployment is recomputed at the first flush").hasSize(1);
        send(second, Fixtures.decode(Mappings.tp(2), 8, 30));
        assertThat(statsOf(flush(again))).singleElement().satisfies(s -> {
            assertThat(s.getOkCount()).isEqualTo(6);
            assertThat(s.getItl().getMeanMs()).isCloseTo(140.0 / 6, Offset.offset(1e-9));
            assertThat(s.getItl().getCount()).isEqualTo(6);
        });
    }

    @Test
    void shouldContainAFailingRecomputationToItsDeploymentAndCountIt() {
        final Properties fault = new Properties();
        fault.put(TopologyNames.FAULT_RECOMPUTE_MODEL_CONFIG, OTHER.getModel());
        final var ctx = context(fault);
        final ProfileProcessor p = started(ctx, sla, null);
        send(p, Fixtures.prefill(Mappings.tp(1), 3000, 100));
        final LatencySample other = Fixtures.prefill(Mappings.tp(1), 3000, 100);
        other.setDeployment(OTHER);
        send(p, other);
        final var out = flush(ctx);
        assertThat(recommendationsOf(out)).extracting(Recommendation::getDeployment)
            .containsExactly(Fixtures.DEPLOYMENT);
        assertThat(out).filteredOn(r -> r.value() instanceof DeadLetter).singleElement()
            .satisfies(r -> assertThat(((DeadLetter) r.value()).getReason()).contains("recomputation failed",
                "injected fault"));
        final double failures = ctx.metrics().metrics().entrySet().stream()
            .filter(e -> e.getKey().name().equals(TopologyMetrics.RECOMPUTE_FAILURES + "-total"))
            .mapToDouble(e -> (Double) e.getValue().metricValue()).sum();
        assertThat(failures).isEqualTo(1.0);
    }
}
