package dev.slaprof.embedded;

import dev.slaprof.http.AccessPolicy;
import dev.slaprof.http.ApiTokens;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.kafka.TopicProvisioner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;

/** The one-machine default: an in-process KRaft broker and schema registry, topics provisioned. */
public final class EmbeddedStack implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final RegistryHttpServer registry;
    private final Properties client = new Properties();
    private final Topics topics;
    private final Path secrets;

    private EmbeddedStack(final EmbeddedKafka kafka, final RegistryHttpServer registry, final String registryToken,
                          final Path secrets) {
        this.kafka = kafka;
        this.registry = registry;
        this.secrets = secrets;
        client.putAll(kafka.clientProps());
        try (Admin admin = Admin.create(client)) {
            TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
        }
        // Through HTTP even in-process, so the registry REST path is the one exercised.
        topics = Topics.create(new HttpSchemaRegistryClient(registry.url(), Duration.ofSeconds(10), registryToken));
    }

    /** The open stack: a loopback registry that takes writes from any local client (trusted-local). */
    public static EmbeddedStack start(final PrintStream out) throws IOException {
        return start(out, false);
    }

    /**
     * The stack. {@code guarded} (a run with an API token file, or one that serves off loopback) puts everything it
     * starts behind credentials made for this run: the broker's only listener is SASL_SSL (SCRAM-SHA-256, a
     * self-signed certificate), and the registry takes writes only with a generated token. Both secrets live in a
     * private directory (0700, files 0600, deleted at exit) and are handed to slaprof's own clients; the broker's
     * client settings are also written there as {@code kafka-client.properties} for a tool the user attaches.
     */
    public static EmbeddedStack start(final PrintStream out, final boolean guarded) throws IOException {
        Path secrets = null;
        EmbeddedKafka kafka = null;
        try {
            String token = null;
            HttpSurface.Options options = HttpSurface.Options.loopback();
            if (guarded) {
                secrets = Files.createTempDirectory("slaprof-run-secrets-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                token = secret();
                final Path file = privateFile(secrets.resolve("registry-tokens"));
                Files.writeString(file, token + " slaprof-run\n");
                options = new HttpSurface.Options(new AccessPolicy.Settings(ApiTokens.load(file), false, List.of(),
                    false), null);
                kafka = EmbeddedKafka.startSecure("slaprof-run", secret());
                final Path props = privateFile(secrets.resolve("kafka-client.properties"));
                try (var w = Files.newOutputStream(props)) {
                    kafka.clientProps().store(w, "slaprof run: the embedded broker's client settings (SASL_SSL)");
                }
            } else {
                kafka = EmbeddedKafka.start();
            }
            final EmbeddedStack e = new EmbeddedStack(kafka, new RegistryHttpServer(new InMemorySchemaRegistry(),
                "127.0.0.1", 0, options), token, secrets);
            out.println("slaprof: embedded Kafka " + kafka.bootstrapServers() + ", schema registry "
                + e.registry.url() + (guarded ? " (writes need this run's own token)" : " (trusted-local: no "
                    + "authentication on loopback; give --api-token-file to guard it)"));
            if (guarded) {
                out.println("slaprof: the broker takes only SASL_SSL clients with this run's credentials: "
                    + secrets.resolve("kafka-client.properties") + " (mode 0600; --kafka-config for another tool)");
            }
            return e;
        } catch (final IOException | RuntimeException ex) {
            if (kafka != null) {
                kafka.close();
            }
            deleteSecrets(secrets);
            throw ex;
        }
    }

    private static String secret() {
        final byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static Path privateFile(final Path p) throws IOException {
        return Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static void deleteSecrets(final Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (final Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (final IOException e) {
            // A temp directory of mode 0700 left behind holds only a dead run's token.
        }
    }

    public Properties client() {
        final Properties p = new Properties();
        p.putAll(client);
        return p;
    }

    public Topics topics() {
        return topics;
    }

    @Override
    public void close() {
        registry.close();
        kafka.close();
        deleteSecrets(secrets);
    }
}
