package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.StatusCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AiperfImporterTest {
    private static final Path OLD = Path.of("../testdata/aiperf/old-schema/profile_export.jsonl");
    private static final Path CURRENT = Path.of("src/test/resources/aiperf/current-schema.jsonl");
    private static final AiperfRecord.Context CONTEXT = new AiperfRecord.Context(
        new Deployment("openai/gpt-oss-20b", Backend.VLLM, "", "H100-SXM", "v1"), Role.AGGREGATED, Mappings.tp(1),
        100, 0, "import", "run1", SourceKind.IMPORT);

    @TempDir
    Path dir;

    @Test
    void shouldReproduceTheOldSchemaReferenceFileExactly() throws Exception {
        final List<LatencySample> out = new ArrayList<>();
        final AiperfImporter.Result r = AiperfImporter.importFile(OLD, CONTEXT, out::add);
        final List<String> lines = Files.readAllLines(OLD);
        assertThat(r.imported()).isEqualTo(lines.size()).isEqualTo(100);
        assertThat(r.rejected()).isEmpty();
        final ObjectMapper json = new ObjectMapper();
        int ok = 0;
        int cancelled = 0;
        for (int i = 0; i < lines.size(); i++) {
            final JsonNode rec = json.readTree(lines.get(i));
            final LatencySample s = out.get(i);
            assertThat(s.getEventId()).isEqualTo(rec.path("metadata").path("x_request_id").asText());
            if (rec.has("error") && !rec.path("error").isNull()) {
                cancelled++;
                assertThat(s.getStatus().getCode()).isEqualTo(StatusCode.CANCELLED);
                assertThat(s.getStatus().getHttpCode()).isEqualTo(499);
                assertThat(s.getTtftMs()).isNull();
                continue;
            }
            ok++;
            final JsonNode m = rec.path("metrics");
            assertThat(s.getTtftMs()).isEqualTo(m.path("ttft").path("value").asDouble());
            assertThat(s.getItlMs()).isEqualTo(m.path("inter_token_latency").path("value").asDouble());
            assertThat(s.getInputTokens()).isEqualTo(m.path("input_sequence_length").path("value").asInt());
            assertThat(s.getOutputTokens()).isEqualTo(m.path("output_sequence_length").path("value").asInt());
            assertThat(s.getPhase()).isEqualTo(Phase.PROFILING);
        }
        assertThat(ok).isEqualTo(89);
        assertThat(cancelled).isEqualTo(11);
    }

    @Test
    void shouldReadTheCurrentSchemaWithWarmupErrorsAndCancellations() throws Exception {
        final List<LatencySample> out = new ArrayList<>();
        final AiperfImporter.Result r = AiperfImporter.importFile(CURRENT, CONTEXT, out::add);
        assertThat(r.imported()).isEqualTo(5);
        assertThat(r.rejected()).containsExactly("current-schema.jsonl:6: not JSON: "
            + r.rejected().get(0).substring("current-schema.jsonl:6: not JSON: ".length()),
            "current-schema.jsonl:7: no metadata object");
        final LatencySample first = out.get(0);
        assertThat(first.getTtftMs()).isEqualTo(149.407128);
        assertThat(first.getItlMs()).isEqualTo(68.18634947011952);
        assertThat(first.getInputTokens()).isEqualTo(69);
        assertThat(first.getOutputTokens()).isEqualTo(252);
        assertThat(first.getRequestEndUs()).isEqualTo(1_785_795_100_519_268_363L / 1000);
        assertThat(first.getRequestStartUs()).isEqualTo(1_785_795_083_255_087_518L / 1000);
        assertThat(out.get(1).getPhase()).isEqualTo(Phase.WARMUP);
        assertThat(out.get(2).getStatus().getCode()).isEqualTo(StatusCode.ERROR);
        assertThat(out.get(2).getInputTokens()).isEqualTo(70);
        assertThat(out.get(2).getStatus().getMessage()).isEqualTo("engine overloaded");
        assertThat(out.get(3).getStatus().getCode()).isEqualTo(StatusCode.CANCELLED);
        // OSL 1: no ITL; no x_request_id: a stable name-based id.
        assertThat(out.get(4).getItlMs()).isNull();
        final List<LatencySample> again = new ArrayList<>();
        AiperfImporter.importFile(CURRENT, CONTEXT, again::add);
        assertThat(again.get(4).getEventId()).isEqualTo(out.get(4).getEventId());
    }

    /**
     * AIPerf 0.14 and later leave null and default fields out (no {@code error}, no {@code cancellation_time_ns})
     * and add keys ({@code trace_data}, newer metadata, {@code http_req_*} metrics): read as a success, and every
     * key slaprof does not read counted by name.
     */
    @Test
    void shouldReadRecordsThatOmitDefaultsAndCountTheKeysItIgnores() throws Exception {
        final Path file = dir.resolve("aiperf-0.14.jsonl");
        final String rec = "{\"metadata\":{\"session_num\":%d,\"x_request_id\":\"id-%d\",\"request_start_ns\":"
            + "1790000000000000000,\"request_end_ns\":1790000001000000000,\"worker_id\":\"worker_1\","
            + "\"benchmark_phase\":\"profiling\",\"agent_depth\":0},\"metrics\":{\"time_to_first_token\":"
            + "{\"value\":120.5,\"unit\":\"ms\"},\"request_latency\":{\"value\":1000.0,\"unit\":\"ms\"},"
            + "\"inter_token_latency\":{\"value\":8.0,\"unit\":\"ms\"},\"input_sequence_length\":{\"value\":512,"
            + "\"unit\":\"tokens\"},\"output_sequence_length\":{\"value\":111,\"unit\":\"tokens\"},"
            + "\"http_req_duration\":{\"value\":1001.0,\"unit\":\"ms\"}},\"trace_data\":{\"dns_ns\":10}}\n";
        Files.writeString(file, String.format(rec, 0, 0) + String.format(rec, 1, 1));
        final List<LatencySample> out = new ArrayList<>();
        final AiperfImporter.Result r = AiperfImporter.importFile(file, CONTEXT, out::add);
        assertThat(r.imported()).isEqualTo(2);
        assertThat(r.rejected()).isEmpty();
        assertThat(out).allSatisfy(x -> {
            assertThat(x.getStatus().getCode()).isEqualTo(StatusCode.OK);
            assertThat(x.getTtftMs()).isEqualTo(120.5);
            assertThat(x.getItlMs()).isEqualTo(8.0);
        });
        assertThat(r.ignored()).containsExactly(java.util.Map.entry("metadata.agent_depth", 2L),
            java.util.Map.entry("metadata.session_num", 2L), java.util.Map.entry("metrics.http_req_duration", 2L),
            java.util.Map.entry("trace_data", 2L));
        assertThat(r.ignoredSummary()).startsWith("4 keys ignored: metadata.agent_depth x2");
    }

    @Test
    void shouldFollowAGrowingFile() throws Exception {
        final Path file = dir.resolve("profile_export.jsonl");
        final List<String> lines = Files.readAllLines(CURRENT);
        Files.writeString(file, lines.get(0) + "\n" + lines.get(1).substring(0, 40));
        final List<LatencySample> out = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread tail = new Thread(() -> {
            try {
                AiperfImporter.follow(file, CONTEXT, out::add, stop::get, 10);
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
        tail.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> out.size() == 1);
        Files.writeString(file, lines.get(1).substring(40) + "\n" + lines.get(2) + "\n",
            StandardOpenOption.APPEND);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> out.size() == 3);
        stop.set(true);
        tail.join(5000);
        assertThat(out.get(1).getPhase()).isEqualTo(Phase.WARMUP);
    }
}
