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
        client.put("bootstrap.servers", kafka.bootstrapServers());
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
     * The stack; {@code guarded} (a run with an API token file, or one that serves off loopback) makes the registry
     * take writes only with a token generated for this run, held in a file of mode 0600 in a private directory and
     * handed to slaprof's own registry client. Reads stay open on loopback.
     */
    public static EmbeddedStack start(final PrintStream out, final boolean guarded) throws IOException {
        final EmbeddedKafka kafka = EmbeddedKafka.start();
        Path secrets = null;
        try {
            String token = null;
            HttpSurface.Options options = HttpSurface.Options.loopback();
            if (guarded) {
                secrets = Files.createTempDirectory("slaprof-run-secrets-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                final byte[] raw = new byte[32];
                new SecureRandom().nextBytes(raw);
                token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                final Path file = Files.createFile(secrets.resolve("registry-tokens"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, token + " slaprof-run\n");
                options = new HttpSurface.Options(new AccessPolicy.Settings(ApiTokens.load(file), false, List.of(),
                    false), null);
            }
            final EmbeddedStack e = new EmbeddedStack(kafka, new RegistryHttpServer(new InMemorySchemaRegistry(),
                "127.0.0.1", 0, options), token, secrets);
            out.println("slaprof: embedded Kafka " + kafka.bootstrapServers() + ", schema registry "
                + e.registry.url() + (guarded ? " (writes need this run's own token)" : " (trusted-local: no "
                    + "authentication on loopback; give --api-token-file to guard it)"));
            return e;
        } catch (final IOException | RuntimeException ex) {
            kafka.close();
            deleteSecrets(secrets);
            throw ex;
        }
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
