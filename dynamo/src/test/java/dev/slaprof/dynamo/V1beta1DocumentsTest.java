package dev.slaprof.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * Each Dynamo 1.x document, one class each, on a recommendation built from hand-made samples (prefill TP=1 over five
 * ISLs, decode TP=2 at three loads and three contexts): what Dynamo's planner, operator and mocker read in them
 * (interop spec sections 3 and 5).
 */
class V1beta1DocumentsTest {
    /** 10^9 s after the epoch: 2001-09-09T01:46:40Z. */
    private static final long GENERATED_AT_US = 1_000_000_000L * 1_000_000L;

    private static Recommendation recommendation(final Backend backend, final SlaTarget sla) {
        final Deployment d = new Deployment("Qwen/Qwen3-32B", backend, "", "H200-SXM", "docs");
        final List<LatencySample> samples = new ArrayList<>();
        for (final int isl : new int[] {256, 1024, 3000, 6000, 9000}) {
            samples.add(sample(d, Role.PREFILL, "TP=1", 1, isl, 4, 20 + isl / 12.0, 1.5));
        }
        for (final int ctx : new int[] {128, 3000, 8000}) {
            for (final int inFlight : new int[] {1, 6, 12}) {
                samples.add(sample(d, Role.DECODE, "TP=2", inFlight, ctx, 400, 25.0, 8 + inFlight * 0.4
                    + ctx / 2000.0));
            }
        }
        final List<MappingLoadStats> stats = new ArrayList<>();
        for (final LatencySample s : samples) {
            final var key = Keys.bucket(s);
            stats.add(LatencyStats.add(LatencyStats.empty(s, key.getInFlight(), key.getIsl()), s));
        }
        return Recommender.recommend(d, sla, stats, Map.of("TP=2", 400_000L), null, GENERATED_AT_US);
    }

    private static LatencySample sample(final Deployment d, final Role role, final String mapping, final int n,
                                        final int isl, final int osl, final double ttft, final double itl) {
        return LatencySamples.ok(d, role, Mappings.parse(mapping), LatencySamples.source(SourceKind.SIMULATED, "t",
            null), n, isl, osl, 1_000_000_000_000_000L, ttft, itl);
    }

    private static SlaTarget sla() {
        return SlaTarget.newBuilder(SlaTargets.of("default", 800.0, 40.0, 3000, 400, Statistic.MEAN, 1, 8, 1, false))
            .setDynamoApi("v1beta1").build();
    }

    @Test
    void shouldPointThePlannerAtTheFilesOverWhatTheRequestAsks() throws Exception {
        final Recommendation r = recommendation(Backend.VLLM, SlaTarget.newBuilder(sla()).setPlannerConfig(
            "{\"load_predictor\":\"constant\",\"profile_results_dir\":\"/elsewhere\",\"aic_perf_model\":{}}").build());
        final ObjectNode cfg = PlannerConfigDoc.plannerConfig(r, V1beta1.choice(r));
        // The request's own field stays; the ones that make the planner read slaprof's files win; AIC's model goes.
        assertThat(cfg.path("load_predictor").asText()).isEqualTo("constant");
        assertThat(cfg.path("profile_results_dir").asText()).isEqualTo("/workspace/profiling_results");
        assertThat(cfg.path("optimization_target").asText()).isEqualTo("sla");
        assertThat(cfg.path("pre_deployment_sweeping_mode").asText()).isEqualTo("thorough");
        assertThat(cfg.has("aic_perf_model")).isFalse();
        assertThat(cfg.path("ttft_ms").asDouble()).isEqualTo(800.0);
        assertThat(cfg.path("prefill_engine_num_gpu").asInt()).isEqualTo(1);
        assertThat(cfg.path("decode_engine_num_gpu").asInt()).isEqualTo(2);
    }

    @Test
    void shouldWriteFinalConfigAsTwoConfigMapsAndTheDeploymentThatMountsThem() throws Exception {
        final Recommendation r = recommendation(Backend.VLLM, sla());
        final List<JsonNode> docs = FinalConfigDoc.finalConfig(r, "{\"p\":1}", "{\"d\":2}", 8);
        assertThat(docs).hasSize(3);
        final String planner = docs.get(0).path("metadata").path("name").asText();
        final String data = docs.get(1).path("metadata").path("name").asText();
        assertThat(planner).matches("planner-config-[0-9a-f]{4}");
        assertThat(data).matches("planner-profile-data-[0-9a-f]{4}");
        // Stable per deployment, profile and kind: a second write names the same ConfigMaps.
        assertThat(FinalConfigDoc.finalConfig(r, "{}", "{}", 8).get(0).path("metadata").path("name").asText())
            .isEqualTo(planner);
        assertThat(docs.get(1).path("data").path("prefill_raw_data.json").asText()).isEqualTo("{\"p\":1}");
        final JsonNode dgd = docs.get(2);
        assertThat(dgd.path("apiVersion").asText()).isEqualTo("nvidia.com/v1beta1");
        final List<String> names = new ArrayList<>();
        dgd.path("spec").path("components").forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).containsExactly("Frontend", "VllmPrefillWorker", "VllmDecodeWorker", "Planner");
        final JsonNode plannerPod = dgd.path("spec").path("components").get(3).path("podTemplate").path("spec");
        final List<String> volumes = new ArrayList<>();
        plannerPod.path("volumes").forEach(v -> volumes.add(v.path("configMap").path("name").asText()));
        assertThat(volumes).containsExactly(planner, data);
        // Without tables, no data ConfigMap and no volume for it.
        final List<JsonNode> bare = FinalConfigDoc.finalConfig(r, null, null, 8);
        assertThat(bare).hasSize(2);
        assertThat(bare.get(1).path("spec").path("components").get(3).path("podTemplate").path("spec")
            .path("volumes")).hasSize(1);
    }

    @Test
    void shouldGiveTrtllmWorkersTheirArgumentsAndSpanNodesWhenWiderThanOne() {
        final Recommendation r = recommendation(Backend.TRTLLM, sla());
        final ObjectNode dgd = DeploymentDoc.deployment(r, V1beta1.choice(r), 1, null, null);
        final JsonNode decode = dgd.path("spec").path("components").get(2);
        assertThat(decode.path("name").asText()).isEqualTo("decode");
        final JsonNode main = decode.path("podTemplate").path("spec").path("containers").get(0);
        assertThat(main.path("command").toString()).isEqualTo("[\"python3\",\"-m\",\"dynamo.trtllm\"]");
        assertThat(main.path("args").toString()).contains("\"--trtllm.tensor_parallel_size\",\"2\"",
            "\"--disaggregation-mode\",\"decode\"");
        // TP=2 on 1-GPU nodes: one GPU per pod, two nodes.
        assertThat(main.path("resources").path("limits").path("nvidia.com/gpu").asText()).isEqualTo("1");
        assertThat(decode.path("multinode").path("nodeCount").asInt()).isEqualTo(2);
        assertThat(main.path("image").asText()).isEqualTo("nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:1.4.0");
        assertThat(dgd.path("spec").path("components")).hasSize(3);
    }

    @Test
    void shouldNameImagesFromTheRequestsRegistryAndTag() {
        final SlaTarget own = SlaTarget.newBuilder(sla()).setImage("registry.example.com:5000/team/planner:2.1").build();
        assertThat(V1beta1.image(own, "vllm-runtime")).isEqualTo("registry.example.com:5000/team/vllm-runtime:2.1");
        assertThat(V1beta1.image(SlaTarget.newBuilder(sla()).setImage("planner").build(), "x")).isEqualTo("x");
        assertThat(V1beta1.image(sla(), "sglang-runtime")).isEqualTo("nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.4.0");
    }

    @Test
    void shouldGiveTheMockerItsDeploymentAndAHundredByHundredTable() throws Exception {
        final Recommendation r = recommendation(Backend.SGLANG, SlaTarget.newBuilder(sla()).setMocker(true).build());
        final JsonNode dgd = FinalConfigDoc.finalConfig(r, "{}", "{}", 8).get(2);
        final JsonNode prefill = dgd.path("spec").path("components").get(1);
        final JsonNode main = prefill.path("podTemplate").path("spec").path("containers").get(0);
        assertThat(main.path("command").get(2).asText()).isEqualTo("dynamo.mocker");
        assertThat(main.path("args").toString()).contains("\"--planner-profile-data\",\"/workspace/profiling_results\"");
        final String[] why = new String[1];
        final NpzWriter npz = MockerDoc.mockerNpz(r.getPrefillTable(), r.getDecodeTable(), why);
        assertThat(npz).as(why[0]).isNotNull();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        npz.writeTo(bytes);
        final Map<String, String> shapes = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                final String header = new String(zip.readNBytes(128), StandardCharsets.ISO_8859_1);
                shapes.put(e.getName(), header.replaceAll("(?s).*'shape': \\(([^)]*)\\).*", "$1"));
            }
        }
        assertThat(shapes).containsExactly(Map.entry("decode_active_kv_tokens.npy", "100,"),
            Map.entry("decode_context_length.npy", "100,"), Map.entry("decode_itl.npy", "100, 100"),
            Map.entry("prefill_isl.npy", "100,"), Map.entry("prefill_ttft_ms.npy", "100,"));
    }

    @Test
    void shouldReportAFinishedProfileAtTheRecommendationsTime() {
        final JsonNode s = ProfilerStatusDoc.status(recommendation(Backend.VLLM, sla()));
        assertThat(s.path("status").asText()).isEqualTo("success");
        assertThat(s.path("phase").asText()).isEqualTo("Done");
        assertThat(s.path("outputs").path("final_config").asText()).isEqualTo("final_config.yaml");
        assertThat(s.path("timestamp").asText()).isEqualTo("2001-09-09T01:46:40Z");
    }
}
