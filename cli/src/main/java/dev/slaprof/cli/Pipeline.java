package dev.slaprof.cli;

import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.ProfileKey;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.sink.OutputWriter;
import dev.slaprof.topology.SlaprofTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * The embedded run's Kafka side: the Streams topology, a read_committed reader of the compacted recommendations
 * topic keeping the latest value per key, and the output writer.
 */
final class Pipeline implements AutoCloseable {
    private final KafkaStreams streams;
    private final KafkaConsumer<RecommendationKey, Recommendation> reader;
    private final KafkaProducer<ProfileKey, SlaTarget> slaProducer;
    private final Thread readerThread;
    private final ConcurrentHashMap<RecommendationKey, Recommendation> latest = new ConcurrentHashMap<>();
    private final OutputWriter writer;
    private final Deployment deployment;
    private final String profile;
    private volatile boolean running = true;

    private Pipeline(final Properties client, final Topics topics, final SlaTarget sla, final Path outputDir,
                     final Deployment deployment) throws IOException {
        this.deployment = deployment;
        this.profile = sla.getProfile();
        this.writer = new OutputWriter(outputDir);
        final Properties props = streamsProps(client, Files.createTempDirectory("slaprof-state-"));
        streams = new KafkaStreams(SlaprofTopology.build(props, topics, sla, Duration.ofMillis(250)), props);
        streams.start();
        final Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "slaprof-run-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        reader = new KafkaConsumer<>(c, topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
        reader.subscribe(List.of(TopicNames.RECOMMENDATIONS));
        readerThread = new Thread(this::read, "recommendation-reader");
        readerThread.setDaemon(true);
        readerThread.start();
        slaProducer = new KafkaProducer<>(client, topics.slaTargets().keySerde().serializer(),
            topics.slaTargets().valueSerde().serializer());
    }

    static Pipeline start(final Properties client, final Topics topics, final SlaTarget sla, final Path outputDir,
                          final Deployment deployment) throws IOException {
        return new Pipeline(client, topics, sla, outputDir, deployment);
    }

    static Properties streamsProps(final Properties client, final Path stateDir) {
        final Properties p = new Properties();
        p.putAll(client);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "slaprof-run-" + UUID.randomUUID());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // One thread: the machine has 2 cores shared with the broker, engines and workers.
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        // Undecodable records go to the dead-letter topic with Streams' own error headers; processing continues.
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, TopicNames.DEAD_LETTERS);
        return p;
    }

    void publishSla(final SlaTarget sla) {
        slaProducer.send(new ProducerRecord<>(TopicNames.SLA_TARGETS, new ProfileKey(sla.getProfile()), sla));
        slaProducer.flush();
    }

    private void read() {
        while (running) {
            try {
                for (final var r : reader.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        latest.put(r.key(), r.value());
                    }
                }
            } catch (final org.apache.kafka.common.errors.WakeupException e) {
                return;
            }
        }
    }

    /** Waits until the recommendation counts at least {@code profilingSamples} successful profiling samples. */
    Recommendation awaitSamples(final long profilingSamples, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final RecommendationKey key = new RecommendationKey(deployment, profile);
        while (System.nanoTime() < deadline) {
            final Recommendation r = latest.get(key);
            if (r != null && r.getSamplesTotal() >= profilingSamples) {
                return r;
            }
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the Streams topology stopped: " + streams.state());
            }
            // The reader thread fills `latest`; a short poll keeps this wait simple and bounded by the deadline.
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("no up-to-date recommendation within " + timeout.toSeconds() + " s");
    }

    Path writeOutputs(final Recommendation r) {
        return writer.write(r);
    }

    @Override
    public void close() {
        running = false;
        reader.wakeup();
        try {
            readerThread.join(5000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.close();
        slaProducer.close();
        streams.close(Duration.ofSeconds(30));
    }
}
