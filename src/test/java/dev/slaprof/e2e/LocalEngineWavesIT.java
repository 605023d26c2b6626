package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code slaprof worker --engines local} against a cluster, with more candidates than {@code --gpus} holds (issue
 * 27: "candidates are packed onto free GPUs, several at once when they fit"; "works with worker"). The engine
 * template starts real server processes: slaprof's own simulated engine ({@code simulate --port}) from the fat jar,
 * standing in for a GPU server that this machine cannot run; what is under test is slaprof's side: the packing of
 * TP=4, TP=2 and TP=1 onto 4 devices in two waves with disjoint CUDA_VISIBLE_DEVICES, each wave stopped before the
 * next starts, TP=8 refused with its reason, every candidate's samples in Kafka, and no process left behind.
 * RealVllmIT holds the same code against real vLLM servers.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LocalEngineWavesIT {
    private static final Pattern STARTED = Pattern.compile("started vllm (TP=\\d) \\(pid (\\d+), GPUs \\[([\\d, ]+)\\]");

    @Test
    void shouldSweepCandidatesInWavesOnTheGivenGpusAndLeaveNoProcess(final TestBroker broker) throws Exception {
        final Path jar = Path.of("../../cli/target/slaprof.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the reactor builds cli before this module").exists();
        final Path dir = Files.createTempDirectory("engine-waves-it");
        final Path templates = dir.resolve("engines.yaml");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(templates, "vllm:\n  command: [\"" + java + "\", \"-Xmx256m\", \"-XX:TieredStopAtLevel=1\", "
            + "\"-jar\", \"" + jar + "\", \"simulate\", \"--port\", \"{port}\", \"--mapping\", \"TP={tp}\", "
            + "\"--model\", \"{model}\", \"--gpu-type\", \"H200-SXM\", \"--time-scale\", \"20\"]\n  health: /health\n");
        final String engineVersion = "waves-it-" + UUID.randomUUID();
        final String prefix = TestBroker.ownPrefix("waves-it");
        try (RegistryHttpServer registry = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            final String[] kafka = {"--bootstrap-servers", broker.bootstrapServers(), "--schema-registry-url",
                registry.url(), "--topic-prefix", prefix};
            // Without slaprof's topics the worker stops with one line naming them, before any engine starts.
            final CliRunner.Outcome refused = CliRunner.run(worker(kafka, templates, dir, engineVersion));
            assertThat(refused.exitCode()).as(refused.output()).isNotZero();
            assertThat(refused.output()).contains("topic " + prefix + "latency-samples does not exist on Kafka at")
                .doesNotContain("started vllm");
            assertThat(CliRunner.run("topics", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix",
                prefix).exitCode()).isZero();
            final CliRunner.Outcome o = CliRunner.run(worker(kafka, templates, dir, engineVersion));
            final String log = o.output();
            assertThat(o.exitCode()).as(log).isZero();
            assertThat(log).contains("they run in 2 waves", "Engine candidate TP=8 failed: needs 8 GPUs and --gpus "
                + "gives 4; not started");
            // Wave 1: TP=4 on all four devices; wave 2, after TP=4 is stopped: TP=2 on 0-1 and TP=1 on 2.
            final Map<String, String> devices = new TreeMap<>();
            final List<Long> pids = new ArrayList<>();
            final Matcher m = STARTED.matcher(log);
            while (m.find()) {
                devices.put(m.group(1), m.group(3));
                pids.add(Long.parseLong(m.group(2)));
            }
            assertThat(devices).containsExactly(Map.entry("TP=1", "2"), Map.entry("TP=2", "0, 1"),
                Map.entry("TP=4", "0, 1, 2, 3"));
            assertThat(pids).hasSize(3);
            final int stopping = log.indexOf("stopping wave 1 (TP=4) to start wave 2 (TP=1, TP=2)");
            assertThat(stopping).as(log).isPositive();
            assertThat(log.indexOf("started vllm TP=4")).isLessThan(stopping);
            assertThat(log.indexOf("started vllm TP=2")).isGreaterThan(stopping);
            // Each engine saw its own devices (the simulated engine prints CUDA_VISIBLE_DEVICES at start).
            assertThat(Files.readString(dir.resolve("logs/engine-tp4.log"), StandardCharsets.UTF_8))
                .contains("CUDA_VISIBLE_DEVICES=0,1,2,3");
            assertThat(Files.readString(dir.resolve("logs/engine-tp1.log"), StandardCharsets.UTF_8))
                .contains("CUDA_VISIBLE_DEVICES=2");
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                .orElse(false)).as("engine pid " + pid + " alive after the worker ended").isFalse());
            assertThat(samplesByMapping(broker, registry.url(), prefix, engineVersion)).containsOnlyKeys("TP=1",
                "TP=2", "TP=4").allSatisfy((k, v) -> assertThat(v).as(k).isGreaterThan(4));
        }
    }

    private static String[] worker(final String[] kafka, final Path templates, final Path dir, final String version) {
        final List<String> a = new ArrayList<>(List.of("worker"));
        a.addAll(List.of(kafka));
        a.addAll(List.of("--model", "Qwen/Qwen3-32B", "--gpu-type", "H200-SXM", "--engine-version", version,
            "--engines", "local", "--gpus", "0-3", "--engine-templates", templates.toString(), "--engine-log-dir",
            dir.resolve("logs").toString(), "--engine-stop-grace", "PT10S", "--candidate", "TP=1", "--candidate",
            "TP=2", "--candidate", "TP=4", "--candidate", "TP=8", "--isl", "512", "--osl", "16",
            "--max-concurrency", "4"));
        return a.toArray(String[]::new);
    }

    private static Map<String, Integer> samplesByMapping(final TestBroker broker, final String registry,
                                                         final String prefix, final String engineVersion) {
        final Topics topics = Topics.create(new HttpSchemaRegistryClient(registry), prefix);
        final Properties p = broker.clientProps();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "waves-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final Map<String, Integer> out = new TreeMap<>();
        try (KafkaConsumer<Deployment, LatencySample> c = new KafkaConsumer<>(p,
            topics.samples().keySerde().deserializer(), topics.samples().valueSerde().deserializer())) {
            c.subscribe(List.of(topics.samples().name()));
            int empty = 0;
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // Reads until the topic has been quiet for 3 polls after the first records (the worker has flushed).
            while ((out.isEmpty() || empty < 3) && System.nanoTime() < deadline) {
                final var records = c.poll(Duration.ofMillis(500));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (final var r : records) {
                    if (r.value().getDeployment().getEngineVersion().equals(engineVersion)) {
                        out.merge(Mappings.label(r.value().getMapping()), 1, Integer::sum);
                    }
                }
            }
        }
        return out;
    }
}
