package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.embedded.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;

import dev.slaprof.topology.TopologyNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The process never dies quietly: a {@code slaprof stream} whose stream thread dies exits non-zero with the cause,
 * and {@code slaprof run --follow} stops within 5 s of SIGTERM once it is following, leaving complete outputs.
 * Both run as child JVMs of the real command.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LifecycleIT {
    /** The bound on stopping {@code run --follow}. */
    private static final Duration STOP_WITHIN = Duration.ofSeconds(5);

    private static ProcessBuilder slaprof(final Path log, final String... args) {
        final List<String> cmd = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
            "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.slaprof", "-cp", System.getProperty("java.class.path"),
            "dev.slaprof.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    }

    private static String read(final Path log) throws Exception {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Test
    void shouldExitNonZeroNamingTheCauseWhenTheTopologyDies() throws Exception {
        final Path work = Files.createTempDirectory("lifecycle-");
        final Path log = work.resolve("stream.log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            try (Admin admin = Admin.create(kafka.clientProps())) {
                TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
            }
            final Path config = work.resolve("streams.properties");
            Files.writeString(config, TopologyNames.FAULT_PROCESS_MODEL_CONFIG + "=lifecycle/poison\n");
            final Process stream = slaprof(log, "stream", "--bootstrap-servers", kafka.bootstrapServers(),
                "--schema-registry-url", registry.url(), "--application-id", "lifecycle-" + UUID.randomUUID(),
                "--kafka-config", config.toString()).start();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> read(log).contains("topology running"));
                final Topics topics = Topics.create(new HttpSchemaRegistryClient(registry.url()));
                final Deployment poison = new Deployment("lifecycle/poison", Backend.VLLM, "", "H200-SXM", "");
                try (SamplePublisher publisher = new SamplePublisher(kafka.clientProps(), topics)) {
                    publisher.publish(LatencySamples.ok(poison, Role.PREFILL, Mappings.tp(1),
                        LatencySamples.source(SourceKind.BENCHMARK, "lifecycle", null), 1, 3000, 5,
                        System.currentTimeMillis() * 1000, 100.0, 2.0));
                    publisher.flush();
                }
                final long sent = System.nanoTime();
                assertThat(stream.waitFor(60, TimeUnit.SECONDS)).as(read(log)).isTrue();
                System.out.printf("LifecycleIT: slaprof stream exited %.1f s after the poison sample was sent%n",
                    (System.nanoTime() - sent) / 1e9);
                assertThat(stream.exitValue()).as(read(log)).isEqualTo(1);
                assertThat(read(log)).contains("slaprof: error: the Streams topology stopped:", "injected fault");
            } finally {
                stream.destroyForcibly();
            }
        }
    }

    @Test
    void shouldStopRunFollowWithinFiveSecondsOfSigterm() throws Exception {
        final Path work = Files.createTempDirectory("lifecycle-follow-");
        final Path log = work.resolve("run.log");
        final Path out = work.resolve("out");
        final Process run = slaprof(log, "run", "--follow", "--follow-interval", "PT2S", "--max-num-gpus-per-engine",
            "2", "--ui-port", "0", "--output-dir", out.toString()).start();
        try {
            Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> read(log).contains("slaprof: following"));
            final long t0 = System.nanoTime();
            // Process.destroy sends SIGTERM on Linux.
            run.destroy();
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).as(read(log)).isTrue();
            final Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.printf("LifecycleIT: run --follow exited %d ms after SIGTERM (code %d)%n", took.toMillis(),
                run.exitValue());
            assertThat(took).as(read(log)).isLessThanOrEqualTo(STOP_WITHIN);
            final Path folder = out.resolve("Qwen_Qwen3-32B__vllm__H200-SXM__sim").resolve("default");
            assertThat(new ObjectMapper().readTree(folder.resolve("recommendation.json").toFile())
                .path("prefill").path("point").path("label").asText()).isNotEmpty();
            assertThat(folder.resolve("selected_prefill_interpolation/raw_data.npz")).isRegularFile();
            assertThat(read(log)).contains("slaprof: stopping");
        } finally {
            run.destroyForcibly();
        }
    }
}
