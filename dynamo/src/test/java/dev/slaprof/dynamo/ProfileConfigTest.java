package dev.slaprof.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamo's DGDR examples run unchanged, in snake_case and camelCase; precedence flags > file > env > defaults. */
class ProfileConfigTest {
    private static final Path DGDR = Path.of("../testdata/dynamo/dgdr");

    @TempDir
    Path dir;

    @Test
    void shouldSayWhatIsWrongWithAFileAPersonCanAct() throws Exception {
        final Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "{{{");
        assertThatThrownBy(() -> ProfileConfig.load(bad)).hasMessage(bad + " is not valid YAML at line 1, column 3: "
            + "Expected a field name (Scalar value in YAML)");
        assertThatThrownBy(() -> ProfileConfig.load(dir.resolve("none.yaml")))
            .hasMessage("cannot read " + dir.resolve("none.yaml") + ": no such file");
        final Path x100 = dir.resolve("x100.yaml");
        Files.writeString(x100, Files.readString(Path.of("src/test/resources/dgdr-v1beta1/custom.yaml"))
            .replace("h200_sxm", "x100_sxm"));
        assertThatThrownBy(() -> ProfileConfig.load(x100)).hasMessageContaining("spec.hardware.gpuSku 'x100_sxm' is "
            + "not a Dynamo GPU SKU (slaprof models a100_sxm, b200_sxm, b300_sxm, gb200, gb200_sxm, h100_sxm, h200_sxm;"
            + " Dynamo also knows a100_pcie");
    }

    @Test
    void shouldReadTheOnlineDgdrExample() {
        assertThat(ProfileConfig.load(DGDR.resolve("profile_sla_dgdr.yaml"))).containsAllEntriesOf(Map.of(
            "model", "Qwen/Qwen3-0.6B", "backend", "vllm", "isl", "3000", "osl", "150", "ttft", "200.0",
            "itl", "20.0"));
    }

    @Test
    void shouldReadCamelCaseKeysOfTheMoeExample() {
        assertThat(ProfileConfig.load(DGDR.resolve("profile_sla_moe_dgdr.yaml"))).containsAllEntriesOf(Map.of(
            "model", "deepseek-ai/DeepSeek-R1", "backend", "sglang", "min-num-gpus-per-engine", "8",
            "max-num-gpus-per-engine", "16"));
    }

    @Test
    void shouldTakeTheGpuFromTheAicSystem() {
        final Map<String, String> s = ProfileConfig.load(DGDR.resolve("profile_sla_aic_dgdr.yaml"));
        assertThat(s).containsEntry("gpu-type", "h200_sxm").containsEntry("backend", "trtllm")
            .containsEntry("ttft", "500.0").containsEntry("itl", "30.0");
    }

    @Test
    void shouldNameTheOffendingKeyOfAMalformedFile() throws Exception {
        final Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "kind: DynamoGraphDeploymentRequest\nspec:\n  model: m\n  profilingConfig:\n"
            + "    config:\n      sla:\n        ttft: {value: 3}\n");
        assertThatThrownBy(() -> ProfileConfig.load(bad)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("sla.ttft");
        final Path notYaml = dir.resolve("x.yaml");
        Files.writeString(notYaml, "- just\n- a list\n");
        assertThatThrownBy(() -> ProfileConfig.load(notYaml)).hasMessageContaining("not a YAML mapping");
    }

    @Test
    void shouldLoadBundledScenarios() {
        assertThat(ProfileConfig.scenario("qwen3-8b-h100-chat")).containsEntry("model", "Qwen/Qwen3-8B")
            .containsEntry("gpu-type", "H100-SXM").containsEntry("ttft", "200.0");
        assertThatThrownBy(() -> ProfileConfig.scenario("../etc/passwd")).hasMessageContaining("unknown scenario");
    }
}
