package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.embedded.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code slaprof import-trace --follow} (issue 27) on a live Dynamo request trace: 10,000 {@code request_end}
 * records written to the documented schema ({@code dynamo.request.trace.v1}, Dynamo's "Request Replay Tracing" page:
 * request.ttft_ms, total_time_ms, input_tokens, output_tokens, cached_tokens, request_received_ms), 100 of them
 * malformed, 20 {@code tool_end} events, and a logrotate-style rotation in the middle; the importer is killed with
 * SIGKILL halfway and started again. Afterwards the committed topics hold exactly 9,900 samples, one per good record,
 * and 100 dead letters with their reasons: none lost, none duplicated.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ImportTraceIT {
    private static final int RECORDS = 10_000;

    private static String record(final int i) {
        if (i % 100 == 37) {
            // 100 malformed records of four kinds.
            return switch ((i / 100) % 4) {
                case 0 -> "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\",\"request\":";
                case 1 -> "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\",\"request\":{"
                    + "\"request_id\":\"req-" + i + "\",\"input_tokens\":100,\"output_tokens\":10}}";
                case 2 -> "{\"schema\":\"other.v2\",\"event_type\":\"request_end\",\"request\":{}}";
                default -> "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\",\"request\":{"
                    + "\"request_id\":\"req-" + i + "\",\"ttft_ms\":50,\"total_time_ms\":20,\"input_tokens\":100,"
                    + "\"output_tokens\":10,\"request_received_ms\":1790000000000}}";
            };
        }
        final long received = 1_790_000_000_000L + i * 10L;
        return String.format(Locale.ROOT, "{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"request_end\","
            + "\"event_time_unix_ms\":%d,\"request\":{\"request_id\":\"req-%d\",\"model\":\"m\",\"input_tokens\":%d,"
            + "\"output_tokens\":%d,\"cached_tokens\":%d,\"kv_hit_rate\":0.25,\"request_received_ms\":%d,"
            + "\"ttft_ms\":%.1f,\"total_time_ms\":%.1f}}", received + 900, i, 1000 + i % 7, 100, 250, received,
            40.0 + i % 5, 40.0 + i % 5 + 99 * 8.0);
    }

    private static Process importer(final Path trace, final String bootstrap, final String registry, final Path log)
        throws Exception {
        final Path jar = Path.of("../../cli/target/slaprof.jar").toAbsolutePath().normalize();
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-jar", jar.toString(), "import-trace", trace.toString(), "--follow", "--poll-ms", "50",
            "--bootstrap-servers", bootstrap, "--schema-registry-url", registry, "--model", "trace/model",
            "--gpu-type", "H200-SXM", "--mapping", "TP=2", "--concurrency", "8")).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** The samples topic's last stable offset: committed records plus transaction markers. */
    private static long stable(final EmbeddedKafka kafka, final String topic) {
        final Properties c = new Properties();
        c.putAll(kafka.clientProps());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
            final var parts = consumer.partitionsFor(topic).stream().map(p -> new org.apache.kafka.common
                .TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void shouldImportEveryRecordOnceAcrossARotationAndASigkill() throws Exception {
        final Path dir = Files.createTempDirectory("import-trace-it");
        final Path trace = dir.resolve("trace.jsonl");
        final Path log = dir.resolve("importer.log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            try (Admin admin = Admin.create(kafka.clientProps())) {
                TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
            }
            final Topics topics = Topics.create(new HttpSchemaRegistryClient(registry.url()));
            Process proc = importer(trace, kafka.bootstrapServers(), registry.url(), log);
            BufferedWriter w = Files.newBufferedWriter(trace, StandardCharsets.UTF_8);
            int killedAt = -1;
            for (int i = 0; i < RECORDS; i++) {
                if (i == RECORDS / 2) {
                    // logrotate: the file is renamed away and a new one takes its name.
                    w.close();
                    Files.move(trace, dir.resolve("trace.jsonl.1"));
                    w = Files.newBufferedWriter(trace, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
                }
                w.write(record(i));
                w.write('\n');
                if (i % 500 == 499) {
                    if (i % 1000 == 999) {
                        w.write("{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"tool_end\",\"tool\":{}}\n");
                        w.write("{\"schema\":\"dynamo.request.trace.v1\",\"event_type\":\"tool_end\",\"tool\":{}}\n");
                    }
                    w.flush();
                    // Pacing, not waiting: the trace grows at a writer's rate while the importer tails it.
                    Thread.sleep(150);
                }
                if (i == 4_200 && killedAt < 0) {
                    // Halfway, once the importer has committed part of the file and is busy: SIGKILL, then a
                    // fresh process that resumes from the committed position.
                    w.flush();
                    Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                        .until(() -> stable(kafka, topics.samples().name()) >= 2_000);
                    proc.destroyForcibly().waitFor();
                    killedAt = i;
                    proc = importer(trace, kafka.bootstrapServers(), registry.url(), log);
                }
            }
            w.close();
            try {
                final Set<String> ids = new HashSet<>();
                final List<String> reasons = new ArrayList<>();
                final Properties c = new Properties();
                c.putAll(kafka.clientProps());
                c.put(ConsumerConfig.GROUP_ID_CONFIG, "import-trace-it-" + UUID.randomUUID());
                c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                final long[] samples = {0};
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(topics.samples().name(), topics.deadLetters().name()));
                    final var values = topics.samples().valueSerde().deserializer();
                    Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(10)).until(() -> {
                        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                            if (r.topic().equals(topics.samples().name())) {
                                samples[0]++;
                                final LatencySample s = values.deserialize(r.topic(), r.value());
                                ids.add(s.getEventId().toString());
                                assertThat(s.getCachedTokens()).isEqualTo(250);
                                assertThat(s.getLoad().getIsl()).isEqualTo(s.getInputTokens() - 250);
                                assertThat(s.getItlMs()).isCloseTo(8.0, org.assertj.core.data.Offset.offset(1e-9));
                            } else {
                                reasons.add(new String(r.headers().lastHeader("slaprof.dlq.reason").value(),
                                    StandardCharsets.UTF_8));
                            }
                        }
                        return samples[0] >= RECORDS - 100 && reasons.size() >= 100;
                    });
                    // Anything more would be a duplicate: read on a little longer.
                    final long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    while (System.nanoTime() < end) {
                        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                            if (r.topic().equals(topics.samples().name())) {
                                samples[0]++;
                            } else {
                                reasons.add("late");
                            }
                        }
                    }
                }
                final String out = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(killedAt).isPositive();
                assertThat(samples[0]).as(out).isEqualTo(RECORDS - 100);
                assertThat(ids).as("one sample per good record, none twice").hasSize(RECORDS - 100);
                for (int i = 0; i < RECORDS; i += 1234) {
                    if (i % 100 != 37) {
                        assertThat(ids).contains("dynamo-trace:req-" + i);
                    }
                }
                assertThat(reasons).hasSize(100).allMatch(r -> r.startsWith("import-trace: "));
                assertThat(reasons).anyMatch(r -> r.contains("not JSON"))
                    .anyMatch(r -> r.contains("request.ttft_ms is missing"))
                    .anyMatch(r -> r.contains("schema is \"other.v2\""))
                    .anyMatch(r -> r.contains("inconsistent request"));
                assertThat(out).contains("resuming after", "rotation: ");
            } finally {
                proc.destroy();
                proc.waitFor(30, TimeUnit.SECONDS);
                proc.destroyForcibly();
            }
        }
    }
}
