package dev.slaprof.producer.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Imports Dynamo's request trace into Kafka exactly once, also across a crash: each batch of lines is one Kafka
 * transaction holding its samples, its dead letters (malformed lines, the reason in the
 * {@code slaprof.dlq.reason} header) and the position after the batch. The position is committed as the metadata of
 * a consumer-group offset ({@code sendOffsetsToTransaction}), so it is visible exactly when the batch is: a restart
 * reads it back and resumes after the last committed line, and a batch cut by SIGKILL is aborted (the restarted
 * producer, with the same transactional id, fences it) and read again.
 */
public final class TraceImporter implements AutoCloseable {
    /** Header carrying a dead letter's reason (the topology's name for it). */
    public static final String REASON_HEADER = "slaprof.dlq.reason";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What an import did so far. */
    public record Counts(long samples, long deadLetters, long skipped, long lines) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d samples, %d dead letters, %d records of other event types skipped "
                + "(%d lines)", samples, deadLetters, skipped, lines);
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final Properties client;
    private final String group;
    private final TopicPartition anchor;
    private final String samplesTopic;
    private final String deadLetterTopic;
    private final Serializer<Deployment> keys;
    private final Serializer<LatencySample> values;
    private long samples;
    private long deadLetters;
    private long skipped;
    private long lines;

    /**
     * @param checkpointId names this import's position (one per followed file): its transactional id and the
     *                     consumer group that holds its position
     */
    public TraceImporter(final Properties clientProps, final Topics topics, final String checkpointId) {
        final String id = checkpointId.replaceAll("[^A-Za-z0-9._-]", "_");
        this.group = "slaprof-import-trace." + (id.length() > 200 ? UUID.nameUUIDFromBytes(id.getBytes(
            StandardCharsets.UTF_8)) : id);
        this.client = new Properties();
        client.putAll(clientProps);
        this.samplesTopic = topics.samples().name();
        this.deadLetterTopic = topics.deadLetters().name();
        this.anchor = new TopicPartition(deadLetterTopic, 0);
        this.keys = topics.samples().keySerde().serializer();
        this.values = topics.samples().valueSerde().serializer();
        final Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
    }

    /** The last committed position of this import, or null when it never committed one. */
    public TraceTail.Position committed() {
        try (Admin admin = Admin.create(client)) {
            final Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            final OffsetAndMetadata o = offsets.get(anchor);
            if (o == null || o.metadata() == null || o.metadata().isEmpty()) {
                return null;
            }
            final JsonNode n = JSON.readTree(o.metadata());
            lines = o.offset();
            return new TraceTail.Position(n.path("key").asText(), n.path("file").asText(), n.path("offset").asLong());
        } catch (final ExecutionException | IOException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the import's committed position (group " + group + "): "
                + e.getMessage(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the import's position", e);
        }
    }

    /**
     * Imports the tail's lines, one transaction per batch, until the file has nothing new (or, following, until
     * {@code stop} says so, polling every {@code pollMs}).
     */
    public Counts run(final LineSource tail, final TraceRecord.Context context, final boolean follow,
                      final BooleanSupplier stop, final long pollMs, final Consumer<Counts> progress)
        throws IOException, InterruptedException {
        long reported = System.nanoTime();
        while (!stop.getAsBoolean()) {
            final List<TraceTail.Line> batch = tail.poll(500);
            if (batch.isEmpty()) {
                if (!follow) {
                    break;
                }
                // A tail: the writer (Dynamo's frontend) gives no signal of new lines, so the file is polled.
                Thread.sleep(pollMs);
                continue;
            }
            commit(batch, context);
            if (System.nanoTime() - reported > TimeUnit.SECONDS.toNanos(10)) {
                progress.accept(counts());
                reported = System.nanoTime();
            }
        }
        return counts();
    }

    private void commit(final List<TraceTail.Line> batch, final TraceRecord.Context context) {
        producer.beginTransaction();
        try {
            send(batch, context);
        } catch (final RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (final RuntimeException ignored) {
                // Fenced or fatal: the batch is not committed either way, and the error below says why.
            }
            throw e;
        }
    }

    private void send(final List<TraceTail.Line> batch, final TraceRecord.Context context) {
        long s = 0;
        long d = 0;
        long k = 0;
        for (final TraceTail.Line line : batch) {
            final TraceTail.Position at = line.after();
            final String eventId = "dynamo-trace:" + at.fileKey() + "@" + at.offset();
            final TraceRecord.Parsed p = TraceRecord.parse(line.text(), context, eventId);
            if (p instanceof TraceRecord.Sample sample) {
                final LatencySample v = sample.sample();
                producer.send(new ProducerRecord<>(samplesTopic, keys.serialize(samplesTopic, v.getDeployment()),
                    values.serialize(samplesTopic, v)));
                s++;
            } else if (p instanceof TraceRecord.Malformed bad) {
                final ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(deadLetterTopic,
                    eventId.getBytes(StandardCharsets.UTF_8), line.text().getBytes(StandardCharsets.UTF_8));
                r.headers().add(REASON_HEADER, ("import-trace: " + bad.reason()).getBytes(StandardCharsets.UTF_8));
                r.headers().add("slaprof.source", at.toString().getBytes(StandardCharsets.UTF_8));
                producer.send(r);
                d++;
            } else {
                k++;
            }
        }
        final TraceTail.Position end = batch.get(batch.size() - 1).after();
        final String meta = JSON.createObjectNode().put("key", end.fileKey()).put("file", end.file())
            .put("offset", end.offset()).toString();
        producer.sendOffsetsToTransaction(Map.of(anchor, new OffsetAndMetadata(lines + batch.size(), meta)),
            new ConsumerGroupMetadata(group));
        producer.commitTransaction();
        samples += s;
        deadLetters += d;
        skipped += k;
        lines += batch.size();
    }

    /** What this run imported. */
    public Counts counts() {
        return new Counts(samples, deadLetters, skipped, lines);
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
