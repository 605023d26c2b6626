package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.profiler.Sweep;
import dev.slaprof.producer.BenchmarkWorker;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.FocusPlan;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.producer.StreamingClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.Fleet;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Continuous profiling's focus round against simulated engines over HTTP: after a parallelization sweep, the worker
 * reads the statistics topic, re-measures the buckets whose confidence intervals are widest, and exactly those
 * buckets gain samples.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FocusIT {
    @Test
    void shouldSpendExtraSamplesWhereIntervalsAreWidest(final TestBroker broker) throws Exception {
        final Topics topics = broker.ownTopics("focus-it", new InMemorySchemaRegistry());
        final Deployment d = new Deployment("Qwen/Qwen3-8B", Backend.VLLM, "", "H100-SXM", "focus-" + UUID.randomUUID());
        final SlaTarget sla = SlaTargets.of("default", 200.0, 20.0, 1000, 50, Statistic.MEAN, 1, 2, 1, false);
        final Properties props = StreamsSettings.defaults(broker.clientProps(), topics, "focus-" + UUID.randomUUID(),
            Files.createTempDirectory("focus-state"));
        final Catalog catalog = Catalog.bundled();
        try (KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(props, topics, sla, Duration.ofMillis(250)),
                 props);
             CompactedTopicReader<StatsKey, MappingLoadStats> stats = new CompactedTopicReader<>(broker.clientProps(),
                 topics.stats().name(), topics.stats().keySerde().deserializer(),
                 topics.stats().valueSerde().deserializer());
             SamplePublisher publisher = new SamplePublisher(broker.clientProps(), topics);
             Fleet fleet = Fleet.start(catalog, "Qwen/Qwen3-8B", "H100-SXM", List.of(Mappings.tp(1), Mappings.tp(2)),
                 List.of(Role.PREFILL, Role.DECODE), 20.0, 0.05, 5, Faults.NONE);
             BenchmarkWorker worker = new BenchmarkWorker(StreamingClient.create(Duration.ofMinutes(5), 20.0),
                 publisher, "focus-it", 5)) {
            streams.start();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING
                && !streams.metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
            final List<Endpoint> endpoints = new ArrayList<>();
            fleet.engines().forEach(e -> endpoints.add(new Endpoint(e.url(), d, e.role(), e.mapping(), true)));
            final Sweep sweep = new Sweep(worker, endpoints, sla, null, System.out, 64);
            sweep.parallelizationSweep();
            publisher.flush();
            final long sent = publisher.profilingOk();
            // The reader's own wait (what `worker --follow --focus` uses), woken by each batch it applies.
            assertThat(stats.awaitUntil(all -> mine(stats, d).stream().mapToLong(MappingLoadStats::getOkCount).sum()
                >= sent, Duration.ofSeconds(60))).isTrue();
            assertThat(stats.awaitUntil(all -> false, Duration.ofMillis(300))).as("a condition that never holds")
                .isFalse();
            final List<FocusPlan.Target> widest = FocusPlan.widest(mine(stats, d), d, 2);
            assertThat(widest).hasSize(2);
            final Map<String, Long> before = new HashMap<>();
            mine(stats, d).forEach(s -> before.put(id(s), s.getOkCount()));

            assertThat(sweep.focus(mine(stats, d), 2)).isEqualTo(2);
            publisher.flush();
            final long after = publisher.profilingOk();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> mine(stats, d).stream()
                .mapToLong(MappingLoadStats::getOkCount).sum() >= after);
            final List<String> grew = new ArrayList<>();
            mine(stats, d).forEach(s -> {
                if (s.getOkCount() > before.getOrDefault(id(s), 0L)) {
                    grew.add(id(s));
                }
            });
            assertThat(grew).containsExactlyInAnyOrderElementsOf(widest.stream().map(t -> id(t.stats())).toList());
        }
    }

    private static List<MappingLoadStats> mine(final CompactedTopicReader<StatsKey, MappingLoadStats> stats,
                                               final Deployment d) {
        return stats.all().values().stream().filter(s -> s.getDeployment().equals(d)).toList();
    }

    private static String id(final MappingLoadStats s) {
        return s.getRole() + " " + Mappings.label(s.getMapping()) + " n=" + s.getInFlight() + " isl=" + s.getIsl();
    }
}
