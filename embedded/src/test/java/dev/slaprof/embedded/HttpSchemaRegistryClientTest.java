package dev.slaprof.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.Compatibility;
import dev.slaprof.schema.HttpSchemaRegistryClient;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.SchemaRegistryException;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against the embedded registry server, over real loopback HTTP. */
class HttpSchemaRegistryClientTest {
    private InMemorySchemaRegistry backing;
    private RegistryHttpServer server;
    private HttpSchemaRegistryClient client;

    @BeforeEach
    void start() throws Exception {
        backing = new InMemorySchemaRegistry();
        server = new RegistryHttpServer(backing, "127.0.0.1", 0);
        client = new HttpSchemaRegistryClient(server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldRegisterAndFetchOverHttp() {
        final int id = client.register("latency-samples-value", LatencySample.getClassSchema());
        assertThat(backing.byId(id)).isEqualTo(LatencySample.getClassSchema());
        final HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(server.url());
        assertThat(fresh.byId(id)).isEqualTo(LatencySample.getClassSchema());
        assertThat(fresh.latest("latency-samples-value")).get().satisfies(r -> assertThat(r.version()).isEqualTo(1));
        assertThat(fresh.lookup("latency-samples-value", LatencySample.getClassSchema())).isPresent();
        assertThat(fresh.subjects()).containsExactly("latency-samples-value");
        assertThat(fresh.compatibility("latency-samples-value")).isEqualTo(Compatibility.BACKWARD);
    }

    @Test
    void shouldCarryIncompatibilityAsAConfluentError() {
        final Schema v1 = SchemaBuilder.record("R").namespace("t").fields().requiredString("a").endRecord();
        final Schema bad = SchemaBuilder.record("R").namespace("t").fields().requiredInt("a").endRecord();
        client.register("r-value", v1);
        assertThat(client.isCompatible("r-value", bad)).isFalse();
        assertThatThrownBy(() -> client.register("r-value", bad))
            .isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE));
    }

    @Test
    void shouldServeTheSerdeThroughTheHttpClient() {
        final AvroSerde<LatencySample> viaHttp = AvroSerde.specific(LatencySample.class, client, false);
        final LatencySample in = LatencySamples.ok(new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.11.0",
            "H200-SXM", "v1"), Role.DECODE, Mappings.tp(2), LatencySamples.source(SourceKind.SIMULATED, "worker-1",
            "run-7"), 8, 3000, 500, 1_764_000_000_000_000L, 123.5, 12.25);
        final byte[] bytes = viaHttp.serialize("latency-samples", in);
        final AvroSerde<LatencySample> inMemory = AvroSerde.specific(LatencySample.class, backing, false);
        assertThat(inMemory.deserialize("latency-samples", bytes)).isEqualTo(in);
    }

    @Test
    void shouldAnswerBadRequestsWithJsonErrors() throws Exception {
        final HttpResponse<String> notFound = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(server.url() + "/schemas/ids/404")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).contains("\"error_code\":40403");
        final HttpResponse<String> garbage = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(server.url() + "/subjects/x/versions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{not avro\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(garbage.statusCode()).isEqualTo(422);
    }
}
