package dev.slaprof.topology;

import dev.slaprof.schema.Topics;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** The Streams configuration slaprof runs with, in one place for the CLI, tests and benchmarks. */
public final class StreamsSettings {
    private StreamsSettings() {
    }

    /**
     * Defaults over the given client properties (which win where they set the same key, e.g. {@code
     * commit.interval.ms} from a {@code --kafka-config} file).
     *
     * @param topics        the topics the application reads and writes (the dead-letter topic is Streams' own DLQ)
     * @param applicationId the Streams application id (instances sharing it share the work)
     * @param stateDir      local state directory
     */
    public static Properties defaults(final Properties client, final Topics topics, final String applicationId,
                                      final Path stateDir) {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        // No lost or double-counted sample: the stats and recommendations are written transactionally.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // One thread: the 2-core machines share it with the broker, engines and workers.
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        // Commit every 250 ms (exactly-once's default is 100 ms): recommendations are recomputed at most every 250 ms
        // anyway, and each commit waits for the changed buckets (a few KB each) to be acknowledged; `slaprof bench`
        // measured the ratio to a bare aggregate 0.85 -> 0.94 and freshness p99 131 -> 293 ms (target 1 s).
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 250);
        // Buckets and statistics snapshots are a few KB each: 256 KB batches instead of 16 KB ones (ratio 0.71-0.76
        // -> 0.85 in `slaprof bench`).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
            256 * 1024);
        // Undecodable records (foreign schema ids, truncated bytes) go to the dead-letter topic with Streams' error
        // headers and processing continues: one bad record must not stop the pipeline.
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters().name());
        p.putAll(client);
        return p;
    }
}
