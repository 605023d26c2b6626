package dev.slaprof.schema.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker+controller in this JVM ({@code kafka.server.KafkaRaftServer} from the production
 * kafka_2.13 jar), on free loopback ports and a temporary data directory, with the single-node settings that
 * consumer groups and exactly-once need. Supports stop and restart on the same data directory.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final boolean ownsDir;
    private final Properties props;
    private KafkaRaftServer server;

    private EmbeddedKafka(final Path dataDir, final boolean ownsDir, final Properties props) {
        this.dataDir = dataDir;
        this.ownsDir = ownsDir;
        this.props = props;
    }

    /** Formats a fresh temporary directory and starts a broker with the given extra broker properties. */
    public static EmbeddedKafka start(final Map<String, String> overrides) {
        try {
            final Path dir = Files.createTempDirectory("slaprof-kafka-");
            final EmbeddedKafka k = new EmbeddedKafka(dir, true, config(dir, overrides));
            k.format();
            k.startServer();
            return k;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create the broker's data directory", e);
        }
    }

    /** Starts a broker with default settings. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    private static Properties config(final Path dir, final Map<String, String> overrides) throws IOException {
        final int brokerPort = freePort();
        final int controllerPort = freePort();
        final Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dir.resolve("kraft-combined").toString());
        // One node: internal topics cannot have 3 replicas, or groups and transactions hang.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // No 3 s wait before the first group join.
        p.put("group.initial.rebalance.delay.ms", "0");
        // Sized for 2 cores; fewer internal partitions make start and restart faster.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("auto.create.topics.enable", "false");
        // Long perf runs must not fill the disk.
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private void format() throws IOException {
        final Path cfg = dataDir.resolve("server.properties");
        try (var out = Files.newOutputStream(cfg)) {
            props.store(out, "slaprof embedded broker");
        }
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            final String[] args = {"format", "-t", Uuid.randomUuid().toString(), "-c", cfg.toString(), "--standalone"};
            final int rc = kafka.tools.StorageTool.execute(args, ps);
            if (rc != 0) {
                throw new IllegalStateException("formatting " + dataDir + " failed: " + log);
            }
        }
    }

    private void startServer() {
        final long t0 = System.nanoTime();
        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        waitReady();
        LOG.info("embedded Kafka ready at {} in {} ms (data {})", bootstrapServers(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dataDir);
    }

    private void waitReady() {
        final Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (final Exception e) {
            throw new IllegalStateException("embedded broker did not become ready: " + e, e);
        }
    }

    /** {@code host:port} of the PLAINTEXT listener (or the first advertised listener). */
    public String bootstrapServers() {
        final String adv = props.getProperty("advertised.listeners");
        final String first = adv.split(",")[0];
        return first.substring(first.indexOf("://") + 3);
    }

    /** The data directory (kept across {@link #stop()} and {@link #restart()}). */
    public Path dataDir() {
        return dataDir;
    }

    /** Controlled shutdown; the data directory is kept. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts again on the same data directory and ports. */
    public synchronized void restart() {
        stop();
        startServer();
    }

    /** True while the broker runs. */
    public synchronized boolean running() {
        return server != null;
    }

    @Override
    public synchronized void close() {
        stop();
        if (ownsDir) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(final Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
