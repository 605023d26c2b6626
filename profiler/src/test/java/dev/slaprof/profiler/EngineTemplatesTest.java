package dev.slaprof.profiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a local engine is started with: the core binding of its ranks and the backend's command template. */
class EngineTemplatesTest {
    @TempDir
    Path dir;

    @Test
    void shouldSpreadTheRanksOverTheCores() {
        assertThat(GpuWaves.cpuBind(1, 2)).isEqualTo("auto");
        assertThat(GpuWaves.cpuBind(2, 2)).isEqualTo("0|1");
        assertThat(GpuWaves.cpuBind(2, 8)).isEqualTo("0-3|4-7");
        assertThat(GpuWaves.cpuBind(4, 2)).isEqualTo("0|1|0|1");
    }

    @Test
    void shouldFillTheBundledVllmTemplateForCpuAndGpu() {
        final EngineTemplates.Template t = EngineTemplates.of("vllm", null);
        final Map<String, String> v = new LinkedHashMap<>();
        v.put("python", "/venv/bin/python");
        v.put("model", "/models/tiny");
        v.put("served_model_name", "tiny");
        v.put("port", "41000");
        v.put("tp", "2");
        v.put("cpu_bind", "0|1");
        assertThat(t.argv(v, true)).containsExactly("/venv/bin/python", "-m", "vllm.entrypoints.openai.api_server",
            "--model", "/models/tiny", "--served-model-name", "tiny", "--host", "127.0.0.1", "--port", "41000",
            "--tensor-parallel-size", "2", "--dtype", "float32");
        assertThat(t.environment(v, true)).containsEntry("VLLM_TARGET_DEVICE", "cpu")
            .containsEntry("VLLM_CPU_OMP_THREADS_BIND", "0|1");
        assertThat(t.argv(v, false)).doesNotContain("--dtype");
        assertThat(t.environment(v, false)).isEmpty();
        assertThat(t.health()).isEqualTo("/health");
    }

    @Test
    void shouldTakeAnOverrideAndNameAnUnknownPlaceholderOrBackend() throws Exception {
        final Path f = Files.writeString(dir.resolve("engines.yaml"), "vllm:\n  command: [\"{python}\", \"serve\", "
            + "\"{nope}\"]\n");
        final EngineTemplates.Template t = EngineTemplates.of("vllm", f);
        assertThatThrownBy(() -> t.argv(Map.of("python", "p"), true)).hasMessageContaining("unknown placeholder "
            + "{nope}");
        // A backend the file does not name keeps the bundled template.
        assertThat(EngineTemplates.of("sglang", f).command()).contains("sglang.launch_server");
        assertThatThrownBy(() -> EngineTemplates.of("tgi", null)).hasMessageContaining("no engine template for "
            + "backend 'tgi' (known: vllm, sglang, trtllm)");
        assertThatThrownBy(() -> EngineTemplates.of("vllm", dir.resolve("missing.yaml")))
            .hasMessageContaining("no such file");
        assertThat(List.of(t.command().get(1))).containsExactly("serve");
    }
}
