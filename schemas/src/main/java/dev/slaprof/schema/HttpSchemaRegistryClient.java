package dev.slaprof.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Client for the Confluent Schema Registry REST API subset slaprof needs (register, look up by id, latest version,
 * compatibility). Works against Confluent Schema Registry, Karapace, Redpanda and Apicurio's ccompat API, and
 * slaprof's own {@link RegistryHttpServer}. Ids and schemas are cached: they never change once assigned.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    /** Content type of the Confluent REST API. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final String bearerToken;
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();

    public HttpSchemaRegistryClient(final String url) {
        this(url, Duration.ofSeconds(10));
    }

    public HttpSchemaRegistryClient(final String url, final Duration timeout) {
        this(url, timeout, null);
    }

    /**
     * A client that sends {@code Authorization: Bearer <token>} (a registry started with an API token file); a
     * registry over HTTPS with its own certificate is trusted through the JVM's trust store
     * ({@code -Djavax.net.ssl.trustStore=...}).
     *
     * @param bearerToken the API token, or null for none
     */
    public HttpSchemaRegistryClient(final String url, final Duration timeout, final String bearerToken) {
        final String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.base = URI.create(trimmed);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.bearerToken = bearerToken;
    }

    @Override
    public int register(final String subject, final Schema schema) {
        final String cacheKey = subject + '\0' + schema.toString();
        final Integer cached = idBySubjectAndSchema.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        final JsonNode answer = send("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
        final int id = answer.path("id").asInt();
        schemaById.putIfAbsent(id, schema);
        idBySubjectAndSchema.put(cacheKey, id);
        return id;
    }

    @Override
    public Schema byId(final int id) {
        final Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        final JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        final Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
        schemaById.putIfAbsent(id, schema);
        return schema;
    }

    @Override
    public Optional<Registered> latest(final String subject) {
        try {
            return Optional.of(version(subject, -1));
        } catch (final SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Registered version(final String subject, final int version) {
        final String v = version < 0 ? "latest" : Integer.toString(version);
        return registered(send("GET", "/subjects/" + enc(subject) + "/versions/" + v, null));
    }

    @Override
    public Optional<Registered> lookup(final String subject, final Schema schema) {
        try {
            return Optional.of(registered(send("POST", "/subjects/" + enc(subject), schemaBody(schema))));
        } catch (final SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND
                || e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public boolean isCompatible(final String subject, final Schema schema) {
        try {
            final JsonNode answer = send("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest",
                schemaBody(schema));
            return answer.path("is_compatible").asBoolean();
        } catch (final SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public Compatibility compatibility(final String subject) {
        final String path = subject == null ? "/config" : "/config/" + enc(subject) + "?defaultToGlobal=true";
        return Compatibility.valueOf(send("GET", path, null).path("compatibilityLevel").asText("BACKWARD"));
    }

    @Override
    public void setCompatibility(final String subject, final Compatibility level) {
        final ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        send("PUT", subject == null ? "/config" : "/config/" + enc(subject), body);
    }

    @Override
    public List<String> subjects() {
        final List<String> out = new ArrayList<>();
        send("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public List<Integer> versions(final String subject) {
        final List<Integer> out = new ArrayList<>();
        send("GET", "/subjects/" + enc(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
        return out;
    }

    private Registered registered(final JsonNode n) {
        final int id = n.path("id").asInt();
        final Schema schema = schemaById.computeIfAbsent(id, i -> new Schema.Parser().parse(n.path("schema").asText()));
        return new Registered(id, n.path("subject").asText(), n.path("version").asInt(), schema);
    }

    private static ObjectNode schemaBody(final Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).put("schemaType", "AVRO");
    }

    private static String enc(final String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(final String method, final String path, final JsonNode body) {
        final HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Accept", CONTENT_TYPE + ", application/json");
        if (bearerToken != null) {
            req.header("Authorization", "Bearer " + bearerToken);
        }
        if (body == null) {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            req.header("Content-Type", CONTENT_TYPE);
            req.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        final HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (final IOException e) {
            throw new SchemaRegistryException(50002, "schema registry at " + base + " unreachable: " + e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(50002, "interrupted while calling the schema registry at " + base);
        }
        final JsonNode answer = parse(resp.body());
        if (resp.statusCode() >= 300) {
            final int code = answer.path("error_code").asInt(resp.statusCode());
            throw new SchemaRegistryException(code, answer.path("message").asText("HTTP " + resp.statusCode()
                + " from " + method + " " + path));
        }
        return answer;
    }

    private static JsonNode parse(final String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (final IOException e) {
            return JSON.createObjectNode().put("message", "unparseable registry answer: " + body);
        }
    }
}
