package dev.slaprof.cli;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.kafka.ClientSettings;
import dev.slaprof.schema.kafka.ClusterCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

    @Option(names = "--schema-registry-token-file", paramLabel = "FILE", description = "File "
        + "holding the API token sent to a registry started with --api-token-file (or "
        + "SLAPROF_SCHEMA_REGISTRY_TOKEN_FILE).")
    private Path registryTokenFile;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Prepended to every slaprof topic "
        + "name, so several pipelines share one cluster apart (or SLAPROF_TOPIC_PREFIX; default none).")
    private String topicPrefix;

    @Mixin
    private VerboseOption verbose;

    /** The client file's {@code bootstrap.servers}, above the environment and below the flag. */
    @Override
    public List<Settings.Layer> layers() {
        final String servers = kafkaConfig == null ? null : ClientSettings.file(kafkaConfig)
            .getProperty("bootstrap.servers");
        return servers == null ? List.of()
            : List.of(new Settings.Layer("--kafka-config " + kafkaConfig, Map.of("bootstrap-servers", servers)));
    }

    /** Client properties: the client file's, with the resolved bootstrap servers; a broker must answer. */
    Properties client() {
        return ClientSettings.client(kafkaConfig, bootstrapServers, connectTimeoutS);
    }

    /**
     * Fails with one line naming the first of {@code names} the cluster does not have, instead of a producer that
     * waits a minute per record for a topic that will not appear ({@code slaprof topics} creates them).
     */
    void requireTopics(final Properties p, final String... names) {
        ClusterCheck.requireTopics(p, connectTimeoutS, topicPrefix(), names);
    }

    /** The topic-name prefix: the flag or {@code SLAPROF_TOPIC_PREFIX}, else none. */
    String topicPrefix() {
        return topicPrefix != null ? topicPrefix : "";
    }

    /** Topics bound to the configured registry, under the configured prefix. */
    Topics topics() {
        return ClientSettings.topics(registryUrl, registryTokenFile, topicPrefix());
    }
}
