package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.Sweep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layouts of Dynamo's results folders the importer reads, old and new, and what it says about the rest. */
class DynamoResultsImporterTest {
    private static final Deployment D = new Deployment("m", Backend.SGLANG, "", "H100-SXM", "");

    @TempDir
    Path dir;

    private static String line(final int isl, final int osl) {
        return "{\"metadata\":{\"x_request_id\":\"" + UUID.randomUUID() + "\",\"request_start_ns\":"
            + "1785795000000000000,\"request_end_ns\":1785795001000000000,\"benchmark_phase\":\"profiling\"},"
            + "\"metrics\":{\"time_to_first_token\":{\"value\":40,\"unit\":\"ms\"},\"inter_token_latency\":"
            + "{\"value\":5,\"unit\":\"ms\"},\"input_sequence_length\":{\"value\":" + isl + ",\"unit\":\"tokens\"},"
            + "\"output_sequence_length\":{\"value\":" + osl + ",\"unit\":\"tokens\"},\"request_latency\":"
            + "{\"value\":1000,\"unit\":\"ms\"}}}\n";
    }

    private void write(final String rel, final String text) throws Exception {
        final Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void shouldReadTheTpOnlyProfilersFolderNames() throws Exception {
        write("prefill_tp2/gap_isl3000/profile_export.jsonl", line(3000, 5));
        write("decode_tp4/gap_request8_isl3000_osl500_n8/profile_export.jsonl", line(3000, 500));
        final List<LatencySample> got = new ArrayList<>();
        final DynamoResultsImporter.Result r = DynamoResultsImporter.importDirectory(dir, D, null, null, got::add);
        assertThat(r.skipped()).isEmpty();
        assertThat(got).hasSize(2);
        assertThat(got.get(0).getRole()).isEqualTo(Role.DECODE);
        assertThat(got.get(0).getMapping()).isEqualTo(Mappings.tp(4));
        assertThat(got.get(0).getLoad().getInFlight()).isEqualTo(8);
        assertThat(got.get(0).getLoad().getSweep()).isEqualTo(Sweep.SLA);
        assertThat(got.get(1).getMapping()).isEqualTo(Mappings.tp(2));
        assertThat(got.get(1).getLoad().getIsl()).isEqualTo(3000);
    }

    @Test
    void shouldTagTheInterpolationFoldersAsTheInterpolationSweep() throws Exception {
        write("selected_prefill_interpolation/aiperf_isl100/profile_export.jsonl", line(100, 5));
        write("selected_decode_interpolation/aiperf_isl100_osl500_n4/profile_export.jsonl", line(100, 500));
        final List<LatencySample> got = new ArrayList<>();
        DynamoResultsImporter.importDirectory(dir, D, Mappings.tp(1), Mappings.tp(2), got::add);
        assertThat(got).extracting(s -> s.getLoad().getSweep()).containsOnly(Sweep.INTERPOLATION);
        assertThat(got).extracting(s -> s.getLoad().getRequestedOsl()).containsExactlyInAnyOrder(5, 500);
    }

    @Test
    void shouldSayWhyAGenaiPerfSummaryIsNotImported() throws Exception {
        write("prefill_tp1/gap_isl3000/profile_export_genai_perf.json", "{}");
        final DynamoResultsImporter.Result r = DynamoResultsImporter.importDirectory(dir, D, null, null, s -> { });
        assertThat(r.imported()).isZero();
        assertThat(r.skipped()).singleElement().asString()
            .contains("gap_isl3000", "genai-perf summary", "per-request records");
    }

    @Test
    void shouldReadEachDecodeEnginesCapacityFromItsSavedLogs() throws Exception {
        write("decode_2gpus_TP2/aiperf_request1_isl3000_osl500_n1/profile_export.jsonl", line(3000, 500));
        write("decode_2gpus_TP2/a-config.txt", "nothing about the cache here\n");
        write("decode_2gpus_TP2/decode.log", "[2025-09-01 10:00:00 TP0] max_total_num_tokens=1047088, "
            + "chunked_prefill_size=8192\n");
        write("decode_4gpus_TP4/aiperf_request1_isl3000_osl500_n1/profile_export.jsonl", line(3000, 500));
        write("decode_4gpus_TP4/decode.log", "Using 2000 tokens in paged KV-cache\n");
        final DynamoResultsImporter.Result r = DynamoResultsImporter.importDirectory(dir, D, null, null, s -> { });
        assertThat(r.capacities()).hasSize(2);
        final DynamoResultsImporter.Capacity tp2 = r.capacities().get(0);
        assertThat(tp2.mapping()).isEqualTo(Mappings.tp(2));
        assertThat(tp2.finding().tokensPerRank()).hasValue(1_047_088L);
        assertThat(tp2.log().getFileName().toString()).isEqualTo("decode.log");
        // A line in the wrong wording gives nothing, with the reason, never a number.
        final DynamoResultsImporter.Capacity tp4 = r.capacities().get(1);
        assertThat(tp4.finding().found()).isFalse();
        assertThat(tp4.finding().describe()).startsWith("nothing found: decode.log: ");
    }
}
