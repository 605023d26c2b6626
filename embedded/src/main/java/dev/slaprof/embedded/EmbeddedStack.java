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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/** The one-machine default: an in-process KRaft broker and schema registry, topics provisioned. */
public final class EmbeddedStack implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final RegistryHttpServer registry;
    private final boolean guarded;
    private final Topics topics;
    private final Path secrets;

    private EmbeddedStack(final EmbeddedKafka kafka, final RegistryHttpServer registry, final String registryToken,
                          final Path secrets) {
        this.kafka = kafka;
        this.registry = registry;
        this.secrets = secrets;
        this.guarded = secrets != null;
        // The broker's own (super) user provisions the topics and, guarded, grants each principal its ACLs.
        try (Admin admin = Admin.create(guarded ? kafka.clientProps(SecureKafka.BROKER_USER) : kafka.clientProps())) {
            TopicProvisioner.provision(admin, TopicProvisioner.load(null), 30_000);
            if (guarded) {
                admin.createAcls(RunPrincipal.acls("")).all().get(30, TimeUnit.SECONDS);
            }
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not grant the run's Kafka ACLs: " + e, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while granting the run's Kafka ACLs", e);
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
                final Map<String, String> users = new LinkedHashMap<>();
                for (final RunPrincipal r : RunPrincipal.values()) {
                    users.put(r.user(), secret());
                }
                kafka = SecureKafka.start(users, true);
                final Path props = privateFile(secrets.resolve("kafka-client.properties"));
                try (var w = Files.newOutputStream(props)) {
                    kafka.clientProps(RunPrincipal.PRODUCER.user()).store(w, "slaprof run: the embedded broker's "
                        + "client settings (SASL_SSL) of its producers' principal, " + RunPrincipal.PRODUCER.user());
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
                out.println("slaprof: the broker takes only SASL_SSL clients with this run's credentials, each "
                    + "principal allowed only its topics (ACLs): " + secrets.resolve("kafka-client.properties")
                    + " (mode 0600; the producers' principal, as --kafka-config for a worker or importer)");
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

    /** The client settings of {@code who}: its own credentials when guarded, the plaintext loopback ones else. */
    public Properties client(final RunPrincipal who) {
        return guarded ? kafka.clientProps(who.user()) : kafka.clientProps();
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
