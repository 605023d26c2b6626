package dev.slaprof.schema.kafka;

import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * Where a slaprof client finds its cluster and schema registry: a client properties file (TLS, SASL, any client
 * setting), the bootstrap servers, the registry URL and the file holding its API token. Each missing or unreadable
 * piece is one line naming the option that gives it.
 */
public final class ClientSettings {
    private ClientSettings() {
    }

    /** The properties of {@code file} (none when null); an unreadable file is an error naming --kafka-config. */
    public static Properties file(final Path file) {
        final Properties p = new Properties();
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (final IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + file + ": " + e.getMessage());
            }
        }
        return p;
    }

    /**
     * The client properties: {@code file}'s, with {@code bootstrapServers} over its own when given; checked to reach
     * a broker within {@code connectTimeoutS}.
     */
    public static Properties client(final Path file, final String bootstrapServers, final int connectTimeoutS) {
        final Properties p = file(file);
        if (bootstrapServers != null) {
            p.put("bootstrap.servers", bootstrapServers);
        }
        if (!p.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("no Kafka cluster: give --bootstrap-servers, bootstrap.servers in "
                + "--kafka-config, or SLAPROF_BOOTSTRAP_SERVERS");
        }
        ClusterCheck.reachable(p, connectTimeoutS);
        return p;
    }

    /** slaprof's topics under {@code prefix}, bound to the registry at {@code url} (token from {@code tokenFile}). */
    public static Topics topics(final String url, final Path tokenFile, final String prefix) {
        if (url == null) {
            throw new IllegalArgumentException("no schema registry: give --schema-registry-url or "
                + "SLAPROF_SCHEMA_REGISTRY_URL (slaprof registry runs one)");
        }
        String token = null;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile).strip();
            } catch (final IOException e) {
                throw new IllegalArgumentException("cannot read the schema registry token file " + tokenFile + ": " + e);
            }
            if (token.isEmpty()) {
                throw new IllegalArgumentException("the schema registry token file " + tokenFile + " is empty");
            }
        }
        return Topics.create(new HttpSchemaRegistryClient(url, Duration.ofSeconds(10), token), prefix);
    }
}
