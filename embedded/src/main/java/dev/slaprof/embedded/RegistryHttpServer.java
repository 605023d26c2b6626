package dev.slaprof.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.http.LoopbackHttp;
import dev.slaprof.http.MetricsEndpoint;
import dev.slaprof.schema.Compatibility;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.SchemaRegistryClient;
import dev.slaprof.schema.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link SchemaRegistryClient} (normally the in-memory one) over the Confluent REST subset, on the JDK's
 * HTTP server, bound to loopback unless told otherwise. Lets outside tools and the HTTP client read embedded topics.
 */
public final class RegistryHttpServer implements AutoCloseable {
    /** Largest request body accepted, in bytes. */
    public static final int MAX_BODY_BYTES = 512 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryClient registry;
    private final HttpServer server;
    private final HttpSurface surface;
    private final ExecutorService executor;
    /** Threads serving requests (event streams do not hold one). */
    static final int HTTP_THREADS = 16;

    public RegistryHttpServer(final SchemaRegistryClient registry, final String host, final int port)
        throws IOException {
        this(registry, host, port, HttpSurface.Options.loopback());
    }

    /**
     * A registry behind the access policy of {@code options}: its writes (POST, PUT, DELETE) need an API token when
     * a token file is configured, reads need one off loopback unless public; with a keystore it speaks HTTPS only.
     */
    public RegistryHttpServer(final SchemaRegistryClient registry, final String host, final int port,
                              final HttpSurface.Options options) throws IOException {
        this.registry = registry;
        this.surface = HttpSurface.create(host, port, 0, options, "schema registry", false);
        this.server = surface.server();
        // Over TLS the JDK server reads a connection's handshake and request on an executor thread, so a socket a
        // browser opened ahead of use (a preconnect) holds a thread until it speaks: a pool of 2 stalled the page.
        this.executor = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
            final Thread t = new Thread(r, "schema-registry-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        surface.context("/", this::handle);
        surface.context("/metrics", this::metrics);
        server.start();
        LOG.info("schema registry serving on {}", url());
    }

    /** Base URL, e.g. {@code http://127.0.0.1:43121}. */
    public String url() {
        return surface.url();
    }

    private void metrics(final HttpExchange ex) throws IOException {
        final StringBuilder sb = MetricsEndpoint.append(new StringBuilder(), surface.policy().counters());
        try (ex) {
            LoopbackHttp.send(ex, 200, "text/plain; version=0.0.4", sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private void handle(final HttpExchange ex) throws IOException {
        try {
            final String method = ex.getRequestMethod();
            final String[] parts = split(ex.getRequestURI().getRawPath());
            final JsonNode body = readBody(ex);
            final Object answer = route(method, parts, body);
            reply(ex, 200, answer);
        } catch (final SchemaRegistryException e) {
            reply(ex, e.httpStatus(), error(e.errorCode(), e.getMessage()));
        } catch (final SchemaParseException | IllegalArgumentException e) {
            reply(ex, 422, error(SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage()));
        } catch (final RuntimeException e) {
            LOG.warn("registry request failed", e);
            reply(ex, 500, error(50001, "Error in the backend data store: " + e));
        } finally {
            ex.close();
        }
    }

    private Object route(final String method, final String[] p, final JsonNode body) {
        if (p.length == 3 && p[0].equals("schemas") && p[1].equals("ids") && method.equals("GET")) {
            return JSON.createObjectNode().put("schema", registry.byId(parseInt(p[2])).toString());
        }
        if (p.length == 1 && p[0].equals("subjects") && method.equals("GET")) {
            return registry.subjects();
        }
        if (p.length == 2 && p[0].equals("subjects") && method.equals("POST")) {
            return registry.lookup(p[1], schema(body)).map(RegistryHttpServer::registered).orElseThrow(
                () -> new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found"));
        }
        if (p.length == 3 && p[0].equals("subjects") && p[2].equals("versions")) {
            if (method.equals("POST")) {
                return JSON.createObjectNode().put("id", registry.register(p[1], schema(body)));
            }
            return registry.versions(p[1]);
        }
        if (p.length == 4 && p[0].equals("subjects") && p[2].equals("versions") && method.equals("GET")) {
            return registered(p[3].equals("latest")
                ? registry.latest(p[1]).orElseThrow(() -> new SchemaRegistryException(
                    SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + p[1] + "' not found"))
                : registry.version(p[1], parseInt(p[3])));
        }
        if (p.length >= 1 && p.length <= 2 && p[0].equals("config")) {
            final String subject = p.length == 2 ? p[1] : null;
            if (method.equals("PUT")) {
                final String level = body.path("compatibility").asText("");
                registry.setCompatibility(subject, level(level));
                return JSON.createObjectNode().put("compatibility", level);
            }
            return JSON.createObjectNode().put("compatibilityLevel", registry.compatibility(subject).name());
        }
        if (p.length == 5 && p[0].equals("compatibility") && method.equals("POST")) {
            return JSON.createObjectNode().put("is_compatible", registry.isCompatible(p[2], schema(body)));
        }
        throw new SchemaRegistryException(404, "No such endpoint: " + method + " /" + String.join("/", p));
    }

    private static Compatibility level(final String level) {
        try {
            return Compatibility.valueOf(level);
        } catch (final IllegalArgumentException e) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_COMPATIBILITY,
                "Invalid compatibility level: " + level);
        }
    }

    private static ObjectNode registered(final SchemaRegistryClient.Registered r) {
        return JSON.createObjectNode().put("subject", r.subject()).put("version", r.version()).put("id", r.id())
            .put("schema", r.schema().toString());
    }

    private static Schema schema(final JsonNode body) {
        final String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA,
                "Only AVRO schemas are supported, got " + type);
        }
        final String text = body.path("schema").asText("");
        if (text.isEmpty()) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, "Empty schema");
        }
        return new Schema.Parser().parse(text);
    }

    private static int parseInt(final String s) {
        try {
            return Integer.parseInt(s);
        } catch (final NumberFormatException e) {
            throw new SchemaRegistryException(SchemaRegistryException.VERSION_NOT_FOUND, "Not a number: " + s);
        }
    }

    private static String[] split(final String rawPath) {
        final String trimmed = rawPath.replaceAll("^/+|/+$", "");
        if (trimmed.isEmpty()) {
            return new String[0];
        }
        final String[] parts = trimmed.split("/");
        for (int i = 0; i < parts.length; i++) {
            parts[i] = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
        }
        return parts;
    }

    private static JsonNode readBody(final HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            final byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new SchemaRegistryException(41301, "Request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            if (bytes.length == 0) {
                return JSON.createObjectNode();
            }
            try {
                return JSON.readTree(bytes);
            } catch (final IOException e) {
                throw new SchemaRegistryException(42201, "Request body is not JSON: " + e.getMessage());
            }
        }
    }

    private static ObjectNode error(final int code, final String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message);
    }

    private static void reply(final HttpExchange ex, final int status, final Object body) throws IOException {
        LoopbackHttp.send(ex, status, HttpSchemaRegistryClient.CONTENT_TYPE, JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
