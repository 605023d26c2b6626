package dev.slaprof.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** v1beta1 requests: the documented samples parse, Dynamo's defaults apply, contradictions and unused fields are named. */
class DgdrV1beta1Test {
    private static final Path SAMPLES = Path.of("src/test/resources/dgdr-v1beta1");

    @TempDir
    Path dir;

    private static DgdrV1beta1.Parsed load(final String name) {
        return ProfileConfig.loadWithWarnings(SAMPLES.resolve(name));
    }

    private DgdrV1beta1.Parsed inline(final String spec) throws Exception {
        final Path f = dir.resolve("r.yaml");
        Files.writeString(f, "apiVersion: nvidia.com/v1beta1\nkind: DynamoGraphDeploymentRequest\nmetadata: {name: r}\n"
            + "spec:\n  model: Qwen/Qwen3-32B\n  backend: vllm\n" + spec);
        return ProfileConfig.loadWithWarnings(f);
    }

    @Test
    void shouldParseDynamosThreeDocumentedSamplesWithItsDefaults() {
        final DgdrV1beta1.Parsed rapid = load("rapid.yaml");
        assertThat(rapid.settings()).containsAllEntriesOf(Map.of("model", "Qwen/Qwen3-0.6B", "backend", "vllm",
            "isl", "4000", "osl", "1000", "ttft", "2000.0", "itl", "30.0", "image",
            "nvcr.io/nvidia/ai-dynamo/dynamo-frontend:1.1.1", "dynamo-api", "v1beta1", "dgd-name", "qwen-0-6b-dgd"));
        assertThat(rapid.warnings()).anyMatch(w -> w.startsWith("spec.backend absent"))
            .anyMatch(w -> w.startsWith("spec.searchStrategy rapid (the default) read, not used"));
        final DgdrV1beta1.Parsed thorough = load("thorough.yaml");
        assertThat(thorough.warnings()).noneMatch(w -> w.contains("searchStrategy"));
        final DgdrV1beta1.Parsed moe = load("moe.yaml");
        assertThat(moe.settings()).containsEntry("model", "deepseek-ai/DeepSeek-R1").containsEntry("backend", "sglang")
            .containsEntry("num-gpus-per-node", "8");
        assertThat(moe.warnings()).anyMatch(w -> w.startsWith("spec.modelCache read, not used"));
    }

    @Test
    void shouldParseTheInteropExamples() {
        assertThat(load("minimal.yaml").settings()).containsEntry("gpu-type", "H200-SXM").containsEntry("total-gpus",
            "8").containsEntry("num-gpus-per-node", "8");
        final DgdrV1beta1.Parsed full = load("full.yaml");
        assertThat(full.settings()).containsEntry("ttft", "300.0").containsEntry("itl", "25.0")
            .containsEntry("isl", "3000").containsEntry("osl", "500").containsEntry("total-gpus", "16")
            .containsEntry("dgd-name", "qwen32b");
        assertThat(full.settings().get("planner-config")).contains("\"optimization_target\":\"sla\"",
            "\"max_gpu_budget\":16");
        assertThat(full.warnings()).anyMatch(w -> w.startsWith("spec.hardware.vramMb read, not used"))
            .anyMatch(w -> w.startsWith("spec.autoApply read, not used"))
            .anyMatch(w -> w.startsWith("spec.features.kvRouter read, not used"));
    }

    @Test
    void shouldNameUnknownFieldsAndTakeTheWorkload() {
        final DgdrV1beta1.Parsed custom = load("custom.yaml");
        assertThat(custom.settings()).containsEntry("request-rate", "12.0").containsEntry("isl", "2000")
            .containsEntry("osl", "300").containsEntry("ttft", "400.0").containsEntry("mocker", "true");
        assertThat(custom.warnings()).contains("spec.tenant is not a v1beta1 profiling field slaprof knows; ignored");
    }

    @Test
    void shouldRefuseContradictionsWithOneLineNamingTheFields() throws Exception {
        assertThatThrownBy(() -> inline("  workload: {requestRate: 5, concurrency: 10}\n"))
            .hasMessageContaining("spec.workload.requestRate and spec.workload.concurrency are mutually exclusive");
        assertThatThrownBy(() -> inline("  sla: {e2eLatency: 9000, ttft: 300}\n"))
            .hasMessageContaining("spec.sla.e2eLatency cannot be given with spec.sla.ttft");
        assertThatThrownBy(() -> inline("  sla: {ttft: 300}\n")).hasMessageContaining("spec.sla.ttft and spec.sla.itl");
        assertThatThrownBy(() -> inline("  hardware: {gpuSku: l4}\n")).hasMessageContaining("gpuSku l4 has no "
            + "performance model");
        assertThatThrownBy(() -> inline("  features:\n    planner: {pre_deployment_sweeping_mode: none}\n"
            + "    mocker: {enabled: true}\n")).hasMessageContaining("pre_deployment_sweeping_mode");
        // e2eLatency with ttft/itl set to null is the documented form.
        assertThat(assertDoesNotThrow("  sla: {e2eLatency: 9000, ttft: null, itl: null}\n"))
            .containsEntry("e2e-latency", "9000.0");
    }

    private Map<String, String> assertDoesNotThrow(final String spec) throws Exception {
        return inline(spec).settings();
    }

    @Test
    void shouldCapTheBudgetAtDynamosThirtyTwo() throws Exception {
        final DgdrV1beta1.Parsed p = inline("  hardware: {totalGpus: 64}\n");
        assertThat(p.settings()).containsEntry("total-gpus", "32");
        assertThat(p.warnings()).anyMatch(w -> w.contains("capped at 32"));
    }
}
