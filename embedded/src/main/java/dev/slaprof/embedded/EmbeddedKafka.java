package dev.slaprof.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
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
    private final Properties clientSecurity;
    private final List<String> scram;
    private final Map<String, String> passwords = new HashMap<>();
    private KafkaRaftServer server;

    private EmbeddedKafka(final Path dataDir, final boolean ownsDir, final Properties props,
                          final Properties clientSecurity, final List<String> scram) {
        this.dataDir = dataDir;
        this.ownsDir = ownsDir;
        this.props = props;
        this.clientSecurity = clientSecurity;
        this.scram = scram;
    }

    /** Formats a fresh temporary directory and starts a broker with the given extra broker properties. */
    public static EmbeddedKafka start(final Map<String, String> overrides) {
        try {
            final Path dir = Files.createTempDirectory("slaprof-kafka-");
            final EmbeddedKafka k = new EmbeddedKafka(dir, true, config(dir, overrides), new Properties(), List.of());
            k.format();
            k.startServer();
            return k;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create the broker's data directory", e);
        }
    }

    /**
     * Starts a broker whose only client listener is SASL_SSL (SCRAM-SHA-256) for {@code user}; see
     * {@link SecureKafka}.
     */
    public static EmbeddedKafka startSecure(final String user, final String password) {
        return SecureKafka.start(Map.of(user, password), false);
    }

    /** Formats {@code dir} with {@code props} and the SCRAM credentials, and starts the broker. */
    static EmbeddedKafka formatAndStart(final Path dir, final Properties props, final Properties clientSecurity,
                                        final Map<String, String> passwords) throws IOException {
        final List<String> scram = new ArrayList<>();
        passwords.forEach((u, pw) -> scram.add("SCRAM-SHA-256=[name=" + u + ",password=" + pw + "]"));
        final EmbeddedKafka k = new EmbeddedKafka(dir, true, props, clientSecurity, scram);
        k.passwords.putAll(passwords);
        k.format();
        k.startServer();
        return k;
    }

    /**
     * The client settings of another SCRAM user of a secure broker (one of those it was started with).
     *
     * @throws IllegalArgumentException for a user it does not know
     */
    public Properties clientProps(final String user) {
        final String pw = passwords.get(user);
        if (pw == null) {
            throw new IllegalArgumentException("the broker has no SCRAM user " + user);
        }
        final Properties p = clientProps();
        p.put("sasl.jaas.config", jaas(user, pw));
        return p;
    }

    /** A JAAS line for SCRAM. */
    public static String jaas(final String user, final String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
            + "\" password=\"" + password + "\";";
    }

    /**
     * What a client needs to connect: bootstrap servers plus, for a secure broker, the SASL_SSL settings (the same
     * keys a {@code --kafka-config} file carries).
     */
    public Properties clientProps() {
        final Properties p = new Properties();
        p.putAll(clientSecurity);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /**
     * A broker that keeps its data in {@code dir} across runs ({@code slaprof kafka --data-dir}): the first start
     * formats the directory with the broker on {@code port} (0: any free port) and stores its configuration as
     * {@code dir/server.properties}; later starts read that file back, so the broker comes up on the same ports with
     * its topics and records.
     */
    public static EmbeddedKafka startPersistent(final Path dir, final int port) {
        try {
            Files.createDirectories(dir);
            final Path cfg = dir.resolve("server.properties");
            final boolean fresh = !Files.exists(cfg);
            final Properties props;
            if (fresh) {
                final Map<String, String> fixed = new HashMap<>();
                if (port > 0) {
                    final String controller = "127.0.0.1:" + freePort();
                    fixed.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://" + controller);
                    fixed.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
                    fixed.put("controller.quorum.bootstrap.servers", controller);
                }
                props = config(dir, fixed);
            } else {
                props = new Properties();
                try (var in = Files.newInputStream(cfg)) {
                    props.load(in);
                }
            }
            final EmbeddedKafka k = new EmbeddedKafka(dir, false, props, new Properties(), List.of());
            if (fresh) {
                k.format();
            }
            k.startServer();
            return k;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot use the broker's data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Starts a broker with default settings. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    static Properties config(final Path dir, final Map<String, String> overrides) throws IOException {
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

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
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
            final List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(),
                "-c", cfg.toString(), "--standalone"));
            for (final String cred : scram) {
                args.add("--add-scram");
                args.add(cred);
            }
            final int rc = kafka.tools.StorageTool.execute(args.toArray(new String[0]), ps);
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
        try (Admin admin = Admin.create(clientProps())) {
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
