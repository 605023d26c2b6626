package dev.slaprof.sink;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sinks as one service: a {@link PlannerClient} on the compacted recommendations topic, the output directory
 * rewritten (atomically) on every change, and the REST API.
 */
public final class SinkService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkService.class);

    private final PlannerClient client;
    private final RestApi api;
    private final OutputWriter writer;
    private final Map<RecommendationKey, Path> written = new ConcurrentHashMap<>();

    public SinkService(final Properties clientProps, final Topics topics, final Path outputDir, final String host,
                       final int port, final Supplier<Map<String, Double>> counters) throws IOException {
        this(clientProps, topics, new OutputWriter(outputDir), host, port, counters);
    }

    public SinkService(final Properties clientProps, final Topics topics, final OutputWriter writer, final String host,
                       final int port, final Supplier<Map<String, Double>> counters) throws IOException {
        this.writer = writer;
        this.client = new PlannerClient(clientProps, topics);
        try {
            this.api = new RestApi(client, counters, host, port);
        } catch (final IOException e) {
            client.close();
            throw e;
        }
        client.onChange(this::write);
    }

    private void write(final RecommendationKey key, final Recommendation r) {
        try {
            written.put(key, writer.write(r));
        } catch (final RuntimeException e) {
            LOG.error("could not write outputs of {}: {}", key, e.toString());
        }
    }

    public PlannerClient client() {
        return client;
    }

    /** Base URL of the REST API. */
    public String url() {
        return api.url();
    }

    /** Folder last written for a key, if any. */
    public Path folder(final RecommendationKey key) {
        return written.get(key);
    }

    @Override
    public void close() {
        api.close();
        client.close();
    }
}
