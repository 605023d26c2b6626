package dev.slaprof.topology;

import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;

/** Samples and SLA profiles for topology tests. */
public final class Fixtures {
    public static final Deployment DEPLOYMENT = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0", "H200-SXM", "t1");
    public static final long T0_US = 1_764_000_000_000_000L;

    private Fixtures() {
    }

    public static SlaTarget sla(final double ttft, final double itl, final Statistic stat) {
        return SlaTargets.of("default", ttft, itl, 3000, 500, stat, 1, 8, 1, false);
    }

    public static LatencySample prefill(final Mapping m, final int isl, final double ttftMs) {
        return LatencySamples.ok(DEPLOYMENT, Role.PREFILL, m, LatencySamples.source(SourceKind.BENCHMARK, "w", null),
            1, isl, 5, T0_US, ttftMs, 2.0);
    }

    public static LatencySample decode(final Mapping m, final int inFlight, final double itlMs) {
        return LatencySamples.ok(DEPLOYMENT, Role.DECODE, m, LatencySamples.source(SourceKind.BENCHMARK, "w", null),
            inFlight, 3000, 500, T0_US, 30.0, itlMs);
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
