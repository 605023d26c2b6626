package dev.slaprof.topology;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.SlaTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;

/** Test drivers of the whole topology. */
final class TestDrivers {
    private TestDrivers() {
    }

    /** A test driver of the whole topology with {@code extra} settings (250 ms recompute interval, fresh state dir). */
    static TopologyTestDriver driver(final Topics topics,
                                                              final SlaTarget sla, final Properties extra)
        throws IOException {
        final Properties p = new Properties();
        p.putAll(extra);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "fixtures-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG,
            Files.createTempDirectory("tt-state").toString());
        return new TopologyTestDriver(SlaprofTopology.build(p, topics, sla,
            Duration.ofMillis(250)), p);
    }
}
