package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.embedded.RegistryHttpServer;
import dev.slaprof.schema.TopicNames;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A sample really travels through the broker in the Confluent wire format, via the HTTP registry. */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FoundationIT {
    private static final Deployment DEPLOYMENT =
        new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0", "H200-SXM", "foundation-it");

    @Test
    void shouldCarrySamplesThroughTheBrokerInTheConfluentWireFormat(final TestBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProps());
             RegistryHttpServer registryServer = new RegistryHttpServer(new InMemorySchemaRegistry(), "127.0.0.1", 0)) {
            // Topics of this test's own on the shared broker: every one is created now, and only this test writes.
            final String prefix = TestBroker.ownPrefix("foundation-it");
            assertThat(TopicProvisioner.provision(admin, TopicProvisioner.load(null, prefix), 30_000))
                .containsExactlyInAnyOrderElementsOf(TopicNames.ALL.stream().map(t -> prefix + t).toList());
            assertThat(TopicProvisioner.provision(admin, TopicProvisioner.load(null, prefix), 30_000))
                .as("provisioning twice creates nothing").isEmpty();
            assertCompacted(admin, prefix);

            final HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(registryServer.url());
            final String topic = prefix + TopicNames.LATENCY_SAMPLES;
            final List<LatencySample> sent = send(broker, registry, topic, 50);
            final List<LatencySample> received = receive(broker, new HttpSchemaRegistryClient(registryServer.url()),
                topic, sent.size());
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(registry.subjects()).contains(topic + "-value", topic + "-key");
        }
    }

    private static void assertCompacted(final Admin admin, final String prefix) throws Exception {
        final List<ConfigResource> resources = new ArrayList<>();
        for (final String t : List.of(TopicNames.MAPPING_LOAD_STATS, TopicNames.RECOMMENDATIONS,
            TopicNames.SLA_TARGETS, TopicNames.ENGINE_CAPACITY, TopicNames.SELECTIONS)) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, prefix + t));
        }
        final Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        for (final ConfigResource r : resources) {
            assertThat(configs.get(r).get("cleanup.policy").value()).as(r.name()).isEqualTo("compact");
        }
        final Config samples = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
            prefix + TopicNames.LATENCY_SAMPLES))).all().get(30, TimeUnit.SECONDS).values().iterator().next();
        assertThat(samples.get("cleanup.policy").value()).isEqualTo("delete");
    }

    private static List<LatencySample> send(final TestBroker broker, final HttpSchemaRegistryClient registry,
                                            final String topic, final int n) throws Exception {
        final Properties p = broker.clientProps();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        final List<LatencySample> sent = new ArrayList<>();
        try (KafkaProducer<Deployment, LatencySample> producer = new KafkaProducer<>(p,
            AvroSerde.specific(Deployment.class, registry, true), AvroSerde.specific(LatencySample.class, registry,
                false))) {
            for (int i = 0; i < n; i++) {
                final LatencySample s = LatencySamples.ok(DEPLOYMENT, Role.PREFILL, Mappings.tp(1 << (i % 4)),
                    LatencySamples.source(SourceKind.BENCHMARK, "it", "run-" + i), 1, 3000, 5,
                    1_764_000_000_000_000L + i, 40.0 + i, 3.0);
                producer.send(new ProducerRecord<>(topic, DEPLOYMENT, s)).get();
                sent.add(s);
            }
        }
        return sent;
    }

    private static List<LatencySample> receive(final TestBroker broker, final HttpSchemaRegistryClient registry,
                                               final String topic, final int n) {
        final Properties p = broker.clientProps();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "foundation-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final List<LatencySample> out = new ArrayList<>();
        try (KafkaConsumer<Deployment, LatencySample> consumer = new KafkaConsumer<>(p,
            AvroSerde.specific(Deployment.class, registry, true), AvroSerde.specific(LatencySample.class, registry,
                false))) {
            consumer.subscribe(List.of(topic));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (final ConsumerRecord<Deployment, LatencySample> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
                if (out.size() >= n) {
                    break;
                }
            }
        }
        return out;
    }
}
