package dev.slaprof.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * An embedded broker that authenticates every connection: its only client listener is SASL_SSL, TLS with a
 * self-signed certificate for localhost and 127.0.0.1 made with the JDK's keytool (in the data directory) and
 * SCRAM-SHA-256 with credentials bootstrapped at format time for the given users (and an internal one for the broker
 * itself). The controller listener is SASL_SSL too, with a PLAIN user only the broker knows, so that no connection
 * is anonymous. With {@code authorize}, KRaft's {@code StandardAuthorizer} denies whatever no ACL allows; the broker
 * and controller users are its super users, and the caller creates the ACLs ({@link RunPrincipal#acls}).
 */
final class SecureKafka {
    static final String BROKER_USER = "broker";

    private SecureKafka() {
    }

    /**
     * @param users SCRAM users and passwords; the first is the one {@link EmbeddedKafka#clientProps()} connects as
     */
    static EmbeddedKafka start(final Map<String, String> users, final boolean authorize) {
        for (final Map.Entry<String, String> u : users.entrySet()) {
            if (!u.getKey().matches("[A-Za-z0-9_.-]{1,64}") || u.getValue().length() < 8
                || u.getValue().matches(".*[\\],\"=\\s].*") || u.getKey().equals(BROKER_USER)) {
                throw new IllegalArgumentException("user must be [A-Za-z0-9_.-]{1,64} and not " + BROKER_USER
                    + "; password at least 8 characters without spaces, commas, quotes, '=' or ']'");
            }
        }
        try {
            final Path dir = Files.createTempDirectory("slaprof-kafka-secure-");
            final String controllerPass = Uuid.randomUuid().toString();
            final Tls tls = Tls.create(dir);
            final int port = EmbeddedKafka.freePort();
            final String controller = "127.0.0.1:" + EmbeddedKafka.freePort();
            final Properties props = EmbeddedKafka.config(dir, Map.of());
            props.put("listeners", "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://" + controller);
            props.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + port);
            props.put("controller.quorum.bootstrap.servers", controller);
            props.put("listener.security.protocol.map", "CONTROLLER:SASL_SSL,SASL_SSL:SASL_SSL");
            props.put("inter.broker.listener.name", "SASL_SSL");
            props.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
            props.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256");
            final Map<String, String> all = new LinkedHashMap<>(users);
            all.put(BROKER_USER, Uuid.randomUuid().toString());
            props.put("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config",
                EmbeddedKafka.jaas(BROKER_USER, all.get(BROKER_USER)));
            // SCRAM credentials live in the metadata log, which a controller cannot read before it runs: PLAIN there.
            props.put("sasl.mechanism.controller.protocol", "PLAIN");
            props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
            props.put("listener.name.controller.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
                + ".PlainLoginModule required username=\"controller\" password=\"" + controllerPass
                + "\" user_controller=\"" + controllerPass + "\";");
            props.put("ssl.keystore.location", tls.keystore().toString());
            props.put("ssl.keystore.password", tls.password());
            props.put("ssl.key.password", tls.password());
            props.put("ssl.keystore.type", "PKCS12");
            tls.trust(props);
            if (authorize) {
                props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
                props.put("super.users", "User:" + BROKER_USER + ";User:controller");
                props.put("allow.everyone.if.no.acl.found", "false");
            }
            final Properties client = new Properties();
            client.put("security.protocol", "SASL_SSL");
            client.put("sasl.mechanism", "SCRAM-SHA-256");
            final Map.Entry<String, String> first = users.entrySet().iterator().next();
            client.put("sasl.jaas.config", EmbeddedKafka.jaas(first.getKey(), first.getValue()));
            tls.trust(client);
            return EmbeddedKafka.formatAndStart(dir, props, client, all);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create the secure broker's files", e);
        }
    }

    /** The broker's self-signed certificate (localhost, 127.0.0.1) in a PKCS12 key store and a trust store. */
    private record Tls(Path keystore, Path truststore, String password) {
        static Tls create(final Path dir) throws IOException {
            final Tls t = new Tls(dir.resolve("broker.p12"), dir.resolve("truststore.p12"),
                Uuid.randomUuid().toString());
            final Path cert = dir.resolve("broker.pem");
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore",
                t.keystore.toString(), "-storetype", "PKCS12", "-storepass", t.password, "-keypass", t.password);
            keytool("-exportcert", "-alias", "broker", "-keystore", t.keystore.toString(), "-storepass", t.password,
                "-rfc", "-file", cert.toString());
            keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-keystore",
                t.truststore.toString(), "-storetype", "PKCS12", "-storepass", t.password);
            return t;
        }

        void trust(final Properties p) {
            p.put("ssl.truststore.location", truststore.toString());
            p.put("ssl.truststore.password", password);
            p.put("ssl.truststore.type", "PKCS12");
        }
    }

    private static void keytool(final String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + out);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
