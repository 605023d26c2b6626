package dev.slaprof.cli;

import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthenticationException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Connection options shared by the subcommands. They follow the {@link Settings} precedence: flags, then the
 * {@code bootstrap.servers} of the {@code --kafka-config} file, then the environment ({@code SLAPROF_BOOTSTRAP_SERVERS},
 * {@code SLAPROF_SCHEMA_REGISTRY_URL}, {@code SLAPROF_TOPIC_PREFIX}, ...), then defaults.
 */
final class KafkaOptions implements Settings.Layered {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (env SLAPROF_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url",
        description = "Confluent-compatible schema registry URL (env SLAPROF_SCHEMA_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--kafka-config", paramLabel = "FILE",
        description = "Client properties file (TLS, SASL, any client setting).")
    Path kafkaConfig;

    @Option(names = "--application-id", defaultValue = "slaprof",
        description = "Streams application id (instances sharing it share the work).")
    String applicationId;

    @Option(names = "--connect-timeout", defaultValue = "15", description = "Seconds to wait for a broker to answer.")
    int connectTimeoutS;

    @Mixin
    private VerboseOption verbose;

    /** The client file's {@code bootstrap.servers}, above the environment and below the flag. */
    @Override
    public List<Settings.Layer> layers() {
        final String servers = kafkaConfig == null ? null : fileProperties().getProperty("bootstrap.servers");
        return servers == null ? List.of()
            : List.of(new Settings.Layer("--kafka-config " + kafkaConfig, Map.of("bootstrap-servers", servers)));
    }

    private Properties fileProperties() {
        final Properties p = new Properties();
        if (kafkaConfig != null) {
            try (InputStream in = Files.newInputStream(kafkaConfig)) {
                p.load(in);
            } catch (final IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + kafkaConfig + ": " + e.getMessage());
            }
        }
        return p;
    }

    /** Client properties: the client file's, with the resolved bootstrap servers. */
    Properties client() {
        final Properties p = fileProperties();
        if (bootstrapServers != null) {
            p.put("bootstrap.servers", bootstrapServers);
        }
        if (!p.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("no Kafka cluster: give --bootstrap-servers, bootstrap.servers in "
                + "--kafka-config, or SLAPROF_BOOTSTRAP_SERVERS");
        }
        checkReachable(p, connectTimeoutS);
        return p;
    }

    /** Fails within {@code seconds}, with one line, when no broker answers. */
    private static void checkReachable(final Properties p, final int seconds) {
        final Properties a = new Properties();
        a.putAll(p);
        a.put("request.timeout.ms", Integer.toString(seconds * 1000));
        a.put("default.api.timeout.ms", Integer.toString(seconds * 1000));
        try (Admin admin = Admin.create(a)) {
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
    void requireTopics(final Properties p, final String... names) {
        final Properties a = new Properties();
        a.putAll(p);
        a.put("request.timeout.ms", Integer.toString(connectTimeoutS * 1000));
        a.put("default.api.timeout.ms", Integer.toString(connectTimeoutS * 1000));
        try (Admin admin = Admin.create(a)) {
            final Set<String> have = admin.listTopics().names().get(connectTimeoutS, TimeUnit.SECONDS);
            for (final String n : names) {
                if (!have.contains(n)) {
                    throw new IllegalArgumentException("topic " + n + " does not exist on Kafka at "
                        + p.get("bootstrap.servers") + "; create slaprof's topics first: slaprof topics "
                        + "--bootstrap-servers " + p.get("bootstrap.servers") + (topicPrefix().isEmpty() ? ""
                        : " --topic-prefix " + topicPrefix()));
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

    @Option(names = "--schema-registry-token-file", paramLabel = "FILE", description = "File "
        + "holding the API token sent to a registry started with --api-token-file (or "
        + "SLAPROF_SCHEMA_REGISTRY_TOKEN_FILE).")
    private Path registryTokenFile;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Prepended to every slaprof topic "
        + "name, so several pipelines share one cluster apart (or SLAPROF_TOPIC_PREFIX; default none).")
    private String topicPrefix;

    /** The topic-name prefix: the flag or {@code SLAPROF_TOPIC_PREFIX}, else none. */
    String topicPrefix() {
        return topicPrefix != null ? topicPrefix : "";
    }

    /** Topics bound to the configured registry, under the configured prefix. */
    Topics topics() {
        final String url = registryUrl;
        if (url == null) {
            throw new IllegalArgumentException("no schema registry: give --schema-registry-url or "
                + "SLAPROF_SCHEMA_REGISTRY_URL (slaprof registry runs one)");
        }
        final String tokenFile = registryTokenFile != null ? registryTokenFile.toString() : null;
        String token = null;
        if (tokenFile != null) {
            try {
                token = Files.readString(Path.of(tokenFile)).strip();
            } catch (final IOException e) {
                throw new IllegalArgumentException("cannot read the schema registry token file " + tokenFile + ": " + e);
            }
            if (token.isEmpty()) {
                throw new IllegalArgumentException("the schema registry token file " + tokenFile + " is empty");
            }
        }
        return Topics.create(new HttpSchemaRegistryClient(url, Duration.ofSeconds(10), token), topicPrefix());
    }
}
