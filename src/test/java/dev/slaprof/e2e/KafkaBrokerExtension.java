package dev.slaprof.e2e;

import dev.slaprof.embedded.EmbeddedKafka;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Gives integration tests one broker per test JVM: {@code KAFKA_BOOTSTRAP_SERVERS} if set; else a Testcontainers
 * {@link KafkaContainer} when a Docker daemon answers (unless {@code -Dkafka.test.broker=embedded}); else the
 * in-process KRaft broker. Closed with the JVM's root extension store.
 */
public final class KafkaBrokerExtension implements ParameterResolver {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final String KEY = "slaprof.test.broker";

    @Override
    public boolean supportsParameter(final ParameterContext p, final ExtensionContext ctx) {
        return p.getParameter().getType() == TestBroker.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext p, final ExtensionContext ctx) {
        return broker(ctx);
    }

    /** The JVM-wide broker, started on first use. */
    public static TestBroker broker(final ExtensionContext ctx) {
        final ExtensionContext.Store store = ctx.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
        return store.getOrComputeIfAbsent(KEY, k -> new Holder(start()), Holder.class).broker;
    }

    private static TestBroker start() {
        final String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            LOG.info("integration tests use the external broker {}", external);
            return new TestBroker(external, "EXTERNAL", null);
        }
        final boolean forceEmbedded = "embedded".equals(System.getProperty("kafka.test.broker"));
        if (!forceEmbedded && dockerAvailable()) {
            final KafkaContainer c = new KafkaContainer("apache/kafka:4.1.0");
            c.start();
            LOG.info("integration tests use a Testcontainers broker {}", c.getBootstrapServers());
            return new TestBroker(c.getBootstrapServers(), "CONTAINER", null);
        }
        final EmbeddedKafka k = EmbeddedKafka.start();
        LOG.info("integration tests use the in-process KRaft broker {}", k.bootstrapServers());
        return new TestBroker(k.bootstrapServers(), "EMBEDDED", k);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (final RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Closes the broker when the root context closes (end of the test JVM). */
    private static final class Holder implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final TestBroker broker;

        Holder(final TestBroker broker) {
            this.broker = broker;
        }

        @Override
        public void close() {
            if (broker.embedded() != null) {
                broker.embedded().close();
            }
        }
    }
}
