package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code slaprof kafka --data-dir DIR} (issue 27): a broker and registry for the distributed commands, printed
 * addresses, and state kept across a stop and a start on the same directory: the same ports, the record written
 * before the stop, and the same schema id.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KafkaCommandIT {
    private final HttpClient http = HttpClient.newHttpClient();

    /** The started command and the two addresses it printed. */
    private record Started(Process process, String bootstrap, String registry) {
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Started start(final Path dir, final String... extra) throws Exception {
        final Path jar = Path.of("../../cli/target/slaprof.jar").toAbsolutePath().normalize();
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx512m", "-jar", jar.toString(), "kafka", "--data-dir", dir.toString()));
        cmd.addAll(List.of(extra));
        final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.UTF_8));
        String bootstrap = null;
        String registry = null;
        final StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null && registry == null; line = out.readLine()) {
            seen.append(line).append('\n');
            if (line.startsWith("slaprof: Kafka bootstrap ")) {
                bootstrap = line.substring("slaprof: Kafka bootstrap ".length()).trim();
            } else if (line.startsWith("slaprof: schema registry ")) {
                registry = line.substring("slaprof: schema registry ".length()).split(" ")[0];
            }
        }
        assertThat(bootstrap).as(seen.toString()).isNotNull();
        assertThat(registry).as(seen.toString()).isNotNull();
        final Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "kafka-it-drain");
        drain.setDaemon(true);
        drain.start();
        return new Started(p, bootstrap, registry);
    }

    private static void stop(final Started s) throws Exception {
        s.process().destroy();
        assertThat(s.process().waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }

    private int register(final String registry, final String subject) throws Exception {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(registry + "/subjects/" + subject
            + "/versions")).header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":"
                + "\\\"Probe\\\",\\\"fields\\\":[{\\\"name\\\":\\\"x\\\",\\\"type\\\":\\\"int\\\"}]}\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Integer.parseInt(r.body().replaceAll("[^0-9]", ""));
    }

    @Test
    void shouldServeABrokerAndRegistryThatKeepTheirStateAcrossARestart() throws Exception {
        final Path dir = Files.createTempDirectory("kafka-cmd-it");
        final int port = freePort();
        final int registryPort = freePort();
        final Started first = start(dir, "--port", Integer.toString(port), "--registry-port",
            Integer.toString(registryPort));
        final String value = "probe-" + UUID.randomUUID();
        final int id;
        try {
            assertThat(first.bootstrap()).isEqualTo("127.0.0.1:" + port);
            final Properties p = new Properties();
            p.put("bootstrap.servers", first.bootstrap());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
                // slaprof's topics are provisioned: the dead-letter topic takes any bytes.
                producer.send(new ProducerRecord<>("dead-letters", "k", value)).get(30, TimeUnit.SECONDS);
            }
            id = register(first.registry(), "probe-value");
        } finally {
            stop(first);
        }

        final Started second = start(dir, "--registry-port", Integer.toString(registryPort));
        try {
            assertThat(second.bootstrap()).as("the first start's port is kept").isEqualTo("127.0.0.1:" + port);
            assertThat(register(second.registry(), "probe-value")).as("the same schema keeps its id").isEqualTo(id);
            final Properties c = new Properties();
            c.put("bootstrap.servers", second.bootstrap());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "kafka-cmd-it");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            final List<String> read = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new StringDeserializer())) {
                consumer.subscribe(List.of("dead-letters"));
                final long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!read.contains(value) && System.nanoTime() < end) {
                    for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        read.add(r.value());
                    }
                }
            }
            assertThat(read).as("the record written before the restart").contains(value);
        } finally {
            stop(second);
        }
    }
}
