package dev.slaprof.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of slaprof's HTTP surfaces (web UI and REST API, schema registry): a JDK server, over TLS when a keystore is
 * given, with the {@link AccessPolicy} in front of every context it serves.
 */
public final class HttpSurface {
    private static final Logger LOG = LoggerFactory.getLogger(HttpSurface.class);
    /** Environment variable holding the keystore password when no password file is given. */
    public static final String TLS_PASSWORD_ENV = "SLAPROF_TLS_KEYSTORE_PASSWORD";

    /**
     * What the operator asked for.
     *
     * @param access the access settings
     * @param tls    the TLS context, or null for plain HTTP
     */
    public record Options(AccessPolicy.Settings access, SSLContext tls) {
        /** Plain HTTP on loopback with the default policy. */
        public static Options loopback() {
            return new Options(AccessPolicy.Settings.loopback(), null);
        }
    }

    private final HttpServer server;
    private final AccessPolicy policy;
    private final boolean tls;

    private HttpSurface(final HttpServer server, final AccessPolicy policy, final boolean tls) {
        this.server = server;
        this.policy = policy;
        this.tls = tls;
    }

    /**
     * Binds {@code host:port} (port 0: a free one) after {@link AccessPolicy#checkBind}; not started yet.
     *
     * @param surface what it serves, for messages ("web UI and REST API", "schema registry")
     * @param pages   true when it serves pages that write (see {@link AccessPolicy})
     */
    public static HttpSurface create(final String host, final int port, final int backlog, final Options options,
                                     final String surface, final boolean pages) throws IOException {
        if (AccessPolicy.checkBind(host, options.access(), surface)) {
            LOG.warn("the {} listens on {} WITHOUT credentials (--insecure-no-auth): anyone who reaches the port can "
                + "read, and a page served by it can change state", surface, host);
        }
        final HttpServer server;
        if (options.tls() != null) {
            final HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), backlog);
            https.setHttpsConfigurator(new HttpsConfigurator(options.tls()));
            server = https;
        } else {
            server = LoopbackHttp.create(host, port, backlog);
        }
        return new HttpSurface(server, new AccessPolicy(options.access(), server.getAddress(), options.tls() != null,
            pages), options.tls() != null);
    }

    /** Serves {@code path} through the access policy. */
    public HttpContext context(final String path, final HttpHandler handler) {
        final HttpContext c = server.createContext(path, handler);
        c.getFilters().add(policy);
        return c;
    }

    /** The underlying server (to start, stop and set its executor). */
    public HttpServer server() {
        return server;
    }

    /** The policy in force. */
    public AccessPolicy policy() {
        return policy;
    }

    /** Base URL, e.g. {@code https://127.0.0.1:8377}. */
    public String url() {
        final String h = server.getAddress().getHostString();
        return (tls ? "https" : "http") + "://" + (h.contains(":") ? "[" + h + "]" : h) + ":"
            + server.getAddress().getPort();
    }

    /**
     * A TLS context from a PKCS12 keystore; the password comes from {@code passwordFile} (first line), else from
     * {@link #TLS_PASSWORD_ENV}.
     *
     * @throws IllegalArgumentException naming what is wrong (missing password, unreadable file, wrong password)
     */
    public static SSLContext tls(final Path keystore, final Path passwordFile) {
        final String password;
        try {
            if (passwordFile != null) {
                password = Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            } else {
                password = System.getenv(TLS_PASSWORD_ENV);
            }
        } catch (final IOException e) {
            throw new IllegalArgumentException("cannot read the keystore password file " + passwordFile + ": " + e);
        }
        if (password == null) {
            throw new IllegalArgumentException("--tls-keystore " + keystore + " needs its password: give "
                + "--tls-keystore-password-file FILE or set " + TLS_PASSWORD_ENV);
        }
        try (InputStream in = Files.newInputStream(keystore)) {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password.toCharArray());
            final SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (final IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the PKCS12 keystore " + keystore + ": " + e.getMessage());
        }
    }
}
