package dev.slaprof.schema.kafka;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthenticationException;

/** What a command checks of a cluster before it starts work: that a broker answers, and that slaprof's topics exist. */
public final class ClusterCheck {
    private ClusterCheck() {
    }

    /** An admin client of {@code p} whose every call gives up after {@code seconds}. */
    private static Admin admin(final Properties p, final int seconds) {
        final Properties a = new Properties();
        a.putAll(p);
        a.put("request.timeout.ms", Integer.toString(seconds * 1000));
        a.put("default.api.timeout.ms", Integer.toString(seconds * 1000));
        return Admin.create(a);
    }

    /** Fails within {@code seconds}, with one line, when no broker answers. */
    public static void reachable(final Properties p, final int seconds) {
        try (Admin admin = admin(p, seconds)) {
            admin.describeCluster().nodes().get(seconds, TimeUnit.SECONDS);
        } catch (final ExecutionException | TimeoutException e) {
            final Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof AuthenticationException) {
                throw new IllegalArgumentException("Kafka at " + p.get("bootstrap.servers") + " refused the "
                    + "credentials (" + cause.getClass().getSimpleName() + "): " + cause.getMessage()
                    + "; check sasl.jaas.config and ssl.* in --kafka-config");
            }
            throw new IllegalArgumentException("cannot reach Kafka at " + p.get("bootstrap.servers") + " within "
                + seconds + " s: " + cause.getClass().getSimpleName() + " (a TLS or SASL listener needs "
                + "security.protocol and its settings in --kafka-config)");
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching Kafka");
        }
    }

    /**
     * Fails with one line naming the first of {@code names} the cluster does not have, instead of a producer that
     * waits a minute per record for a topic that will not appear ({@code slaprof topics} creates them).
     */
    public static void requireTopics(final Properties p, final int connectTimeoutS, final String topicPrefix,
                                     final String... names) {
        try (Admin admin = admin(p, connectTimeoutS)) {
            final Set<String> have = admin.listTopics().names().get(connectTimeoutS, TimeUnit.SECONDS);
            for (final String n : names) {
                if (!have.contains(n)) {
                    throw new IllegalArgumentException("topic " + n + " does not exist on Kafka at "
                        + p.get("bootstrap.servers") + "; create slaprof's topics first: slaprof topics "
                        + "--bootstrap-servers " + p.get("bootstrap.servers") + (topicPrefix.isEmpty() ? ""
                        : " --topic-prefix " + topicPrefix));
                }
            }
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalArgumentException("cannot list the topics of Kafka at " + p.get("bootstrap.servers")
                + ": " + (e.getCause() == null ? e : e.getCause()).getMessage());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing Kafka's topics");
        }
    }
}
