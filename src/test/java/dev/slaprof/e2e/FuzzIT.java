package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.topology.SlaprofTopology;
import dev.slaprof.topology.StreamsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 100,000 malformed records mixed with valid ones on the real broker: every bad record reaches the dead-letter topic
 * with a reason, the application keeps running, and the statistics of the valid records equal a clean computation.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FuzzIT {
    private static final int BAD = 100_000;
    private static final int VALID = 5_000;
    private static final double TOLERANCE = 1e-6;

    @Test
    void shouldDeadLetterEveryMalformedRecordAndKeepTheValidResults(final TestBroker broker) throws Exception {
        final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        // This test's own topics: the application reads its input from the start and sees only this test's records.
        final Topics topics = broker.ownTopics("fuzz-it", registry);
        final Deployment d = new Deployment("fuzz/model", Backend.VLLM, "", "H200-SXM", "fuzz-" + UUID.randomUUID());
        final Random random = new Random(42);
        final AvroSerde<LatencySample> serde = AvroSerde.specific(LatencySample.class, registry, false);
        final byte[] key = topics.samples().keySerde().serializer().serialize(topics.samples().name(), d);
        final Map<StatsKey, MappingLoadStats> expected = new HashMap<>();
        final Schema unknownEnum = schemaWithExtraRole();
        final AvroSerde<GenericRecord> generic = AvroSerde.generic(null, registry, false);
        final int[] kinds = new int[10];
        final Properties pp = broker.clientProps();
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
            new ByteArraySerializer())) {
            int bad = 0;
            int valid = 0;
            while (bad < BAD || valid < VALID) {
                if (valid < VALID && (bad >= BAD || random.nextInt(21) == 0)) {
                    final LatencySample s = LatencySamples.ok(d, Role.PREFILL, Mappings.tp(1 << random.nextInt(3)),
                        LatencySamples.source(SourceKind.BENCHMARK, "fuzz", null), 1, 1000 * (1 + random.nextInt(3)),
                        5, 1_764_000_000_000_000L, 20 + random.nextDouble() * 100, 2.0);
                    final var k = Keys.bucket(s);
                    expected.compute(k, (x, st) -> LatencyStats.add(st == null ? LatencyStats.empty(s,
                        k.getInFlight(), k.getIsl()) : st, s));
                    producer.send(new ProducerRecord<>(topics.samples().name(), key,
                        serde.serialize(topics.samples().name(), s)));
                    valid++;
                    continue;
                }
                final int kind = random.nextInt(10);
                kinds[kind]++;
                producer.send(new ProducerRecord<>(topics.samples().name(), key,
                    malformed(kind, random, d, serde, generic, unknownEnum)));
                bad++;
            }
        }
        System.out.println("malformed records by kind: " + Arrays.toString(kinds));

        final String appId = "fuzz-" + UUID.randomUUID();
        final Properties props = StreamsSettings.defaults(broker.clientProps(), topics, appId,
            Files.createTempDirectory("fuzz-state"));
        final SlaTarget sla = SlaTargets.of("default", 100.0, 20.0, 2000, 500, Statistic.MEAN, 1, 8, 1, false);
        final long t0 = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(SlaprofTopology.build(props, topics, sla,
            Duration.ofMillis(250)), props)) {
            streams.start();
            // The broker's end offsets until the dead letters are all there; the application must keep running.
            Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    assertThat(streams.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING,
                        KafkaStreams.State.CREATED);
                    return endOffsets(broker, topics.deadLetters().name()) >= BAD;
                });
            final long dead = endOffsets(broker, topics.deadLetters().name());
            System.out.printf("dead-letter offsets (records + transaction markers): %d for %d malformed after %.1f s; "
                + "streams state %s%n", dead, BAD, (System.nanoTime() - t0) / 1e9, streams.state());
            assertThat(dead).isGreaterThanOrEqualTo(BAD);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            final Map<StatsKey, MappingLoadStats> actual = latestStats(broker, topics, d, expected.size());
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((k, e) -> {
                LatencyStats.refreshPercentiles(e);
                final MappingLoadStats a = actual.get(k);
                assertThat(a.getOkCount()).isEqualTo(e.getOkCount());
                assertThat(a.getTtft().getMeanMs()).isCloseTo(e.getTtft().getMeanMs(), within(TOLERANCE));
                assertThat(a.getTtft().getP99Ms()).isEqualTo(e.getTtft().getP99Ms());
            });
        }
        assertEveryDeadLetterHasAReason(broker, topics.deadLetters().name());
    }

    /** Ten kinds of bad record: bytes, framing, schema ids, truncation, bad values, unknown enums, no mapping. */
    private static byte[] malformed(final int kind, final Random r, final Deployment d,
                                    final AvroSerde<LatencySample> serde, final AvroSerde<GenericRecord> generic,
                                    final Schema unknownEnum) {
        final LatencySample s = LatencySamples.ok(d, Role.PREFILL, Mappings.tp(1),
            LatencySamples.source(SourceKind.BENCHMARK, "fuzz", null), 1, 1000, 5, 1_764_000_000_000_000L, 50.0, 2.0);
        final byte[] good = serde.serialize(TopicNames.LATENCY_SAMPLES, s);
        switch (kind) {
            case 0 -> {
                final byte[] b = new byte[r.nextInt(120)];
                r.nextBytes(b);
                if (b.length > 0) {
                    b[0] = (byte) (1 + r.nextInt(200));
                }
                return b;
            }
            case 1 -> {
                good[0] = 7;
                return good;
            }
            case 2 -> {
                good[1] = 0x3f;
                return good;
            }
            case 3 -> {
                return Arrays.copyOf(good, 5 + r.nextInt(good.length / 3));
            }
            case 4 -> s.setTtftMs(Double.NaN);
            case 5 -> s.setTtftMs(-1.0 - r.nextInt(100));
            case 6 -> s.setTtftMs(0.0);
            case 7 -> s.setItlMs(1e12);
            case 8 -> {
                return generic.serialize(TopicNames.LATENCY_SAMPLES, withUnknownRole(s, unknownEnum));
            }
            default -> s.setMapping(null);
        }
        return serde.serialize(TopicNames.LATENCY_SAMPLES, s);
    }

    private static Schema schemaWithExtraRole() {
        final String text = LatencySample.getClassSchema().toString()
            .replace("\"symbols\":[\"PREFILL\",\"DECODE\",\"AGGREGATED\",\"UNKNOWN_ROLE\"]",
                "\"symbols\":[\"PREFILL\",\"DECODE\",\"AGGREGATED\",\"UNKNOWN_ROLE\",\"ENCODER\"]");
        assertThat(text).contains("ENCODER");
        return new Schema.Parser().parse(text);
    }

    private static GenericRecord withUnknownRole(final LatencySample s, final Schema schema) {
        try {
            final byte[] body = Arrays.copyOfRange(AvroSerde.specific(LatencySample.class, new InMemorySchemaRegistry(),
                false).serialize("x", s), 5, Integer.MAX_VALUE >> 8);
            final GenericRecord g = new GenericDatumReader<GenericRecord>(LatencySample.getClassSchema(), schema)
                .read(null, DecoderFactory.get().binaryDecoder(body, null));
            g.put("role", new GenericData.EnumSymbol(schema.getField("role").schema(), "ENCODER"));
            return g;
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long endOffsets(final TestBroker broker, final String topic) throws Exception {
        try (Admin admin = Admin.create(broker.clientProps())) {
            final var parts = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            final Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            parts.forEach(p -> q.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            long sum = 0;
            for (final var e : admin.listOffsets(q).all().get().values()) {
                sum += e.offset();
            }
            return sum;
        }
    }

    private static Map<StatsKey, MappingLoadStats> latestStats(final TestBroker broker, final Topics topics,
                                                              final Deployment d, final int expected) {
        final Properties p = broker.clientProps();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "fuzz-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final Map<StatsKey, MappingLoadStats> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
            c.subscribe(List.of(topics.stats().name()));
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long total = 0;
            while (System.nanoTime() < deadline && total < VALID) {
                for (final ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                    final StatsKey k;
                    try {
                        k = topics.stats().keySerde().deserializer().deserialize(r.topic(), r.key());
                    } catch (final RuntimeException e) {
                        continue;
                    }
                    if (k.getDeployment().equals(d)) {
                        out.put(k, topics.stats().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                    }
                }
                total = out.values().stream().mapToLong(MappingLoadStats::getOkCount).sum();
            }
        }
        assertThat(out).hasSize(expected);
        return out;
    }

    private static void assertEveryDeadLetterHasAReason(final TestBroker broker, final String topic) {
        final Properties p = broker.clientProps();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "fuzz-dlq-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final Map<String, Integer> reasons = new HashMap<>();
        int seen = 0;
        int withoutReason = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
            final TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int idle = 0;
            while (idle < 5 && System.nanoTime() < deadline) {
                final var batch = c.poll(Duration.ofMillis(300));
                idle = batch.isEmpty() ? idle + 1 : 0;
                for (final ConsumerRecord<byte[], byte[]> r : batch) {
                    seen++;
                    final var ours = r.headers().lastHeader("slaprof.dlq.reason");
                    final var streams = r.headers().lastHeader("__streams.errors.exception");
                    if (ours != null) {
                        reasons.merge(new String(ours.value(), StandardCharsets.UTF_8)
                            .replaceAll("-?[0-9.E]+$", "N"), 1, Integer::sum);
                    } else if (streams != null) {
                        reasons.merge("deserialization: " + new String(streams.value(),
                            StandardCharsets.UTF_8), 1, Integer::sum);
                    } else {
                        withoutReason++;
                    }
                }
            }
        }
        System.out.println("dead-letter reasons: " + reasons);
        assertThat(seen).isEqualTo(BAD);
        assertThat(withoutReason).isZero();
    }
}
