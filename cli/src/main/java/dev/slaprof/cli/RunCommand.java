package dev.slaprof.cli;

import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.RegistryHttpServer;
import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.kafka.EmbeddedKafka;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slaprof run}: the main job on the embedded default. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on one machine: embedded Kafka and schema registry, topology, sinks.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        out.println("slaprof: starting the embedded Kafka broker (KRaft, single node)...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             RegistryHttpServer registryServer = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            out.println("slaprof: broker " + kafka.bootstrapServers() + ", schema registry " + registryServer.url());
            final Properties props = new Properties();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                final List<String> created = TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
                out.println("slaprof: topics provisioned " + created);
            }
            final Topics topics = Topics.create(new dev.slaprof.schema.HttpSchemaRegistryClient(registryServer.url()));
            final Deployment d = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM", "embedded");
            final LatencySample s = LatencySamples.ok(d, Role.PREFILL, Mappings.tp(1),
                LatencySamples.source(SourceKind.SIMULATED, "run", null), 1, 3000, 5, System.currentTimeMillis() * 1000,
                42.0, 3.0);
            final Properties pp = new Properties();
            pp.putAll(props);
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<Deployment, LatencySample> p = new KafkaProducer<>(pp,
                topics.samples().keySerde().serializer(), topics.samples().valueSerde().serializer())) {
                p.send(new ProducerRecord<>(TopicNames.LATENCY_SAMPLES, d, s)).get();
            }
            final Properties cp = new Properties();
            cp.putAll(props);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "slaprof-run-check");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<Deployment, LatencySample> c = new KafkaConsumer<>(cp,
                topics.samples().keySerde().deserializer(), topics.samples().valueSerde().deserializer())) {
                c.subscribe(List.of(TopicNames.LATENCY_SAMPLES));
                for (int i = 0; i < 50; i++) {
                    for (final var r : c.poll(Duration.ofMillis(200))) {
                        out.println("slaprof: read back sample " + r.value().getEventId() + " TTFT "
                            + r.value().getTtftMs() + " ms");
                        return 0;
                    }
                }
            }
            throw new IllegalStateException("the sample did not come back from the broker");
        }
    }
}
