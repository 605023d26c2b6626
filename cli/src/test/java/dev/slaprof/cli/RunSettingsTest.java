package dev.slaprof.cli;

import dev.slaprof.dynamo.SlaDefaults;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code run}'s settings: a flag over a DGDR file over the environment over the defaults. */
class RunSettingsTest {
    @TempDir
    Path dir;

    @Test
    void shouldApplyFlagsOverFileOverEnvironmentOverDefaults() throws Exception {
        final Path file = dir.resolve("dgdr.yaml");
        Files.writeString(file, "kind: DynamoGraphDeploymentRequest\nspec:\n  model: Qwen/Qwen3-8B\n"
            + "  profilingConfig:\n    config:\n      sla: {ttft: 150, itl: 15}\n");
        final CommandLine cli = Main.commandLine();
        cli.parseArgs("run", "--config", file.toString(), "--itl", "12");
        final CommandLine run = cli.getSubcommands().get("run");
        ((RunCommand) run.getCommand()).applySettings(Map.of("SLAPROF_TTFT", "999", "SLAPROF_OSL", "256"));
        final var spec = run.getCommandSpec();
        assertThat((Double) spec.findOption("--itl").getValue()).isEqualTo(12.0);
        assertThat((Double) spec.findOption("--ttft").getValue()).isEqualTo(150.0);
        assertThat((Integer) spec.findOption("--osl").getValue()).isEqualTo(256);
        // Not given anywhere: a v1alpha1 request's ISL is the old profiler's default (3000), not today's (4000).
        assertThat((Integer) spec.findOption("--isl").getValue()).isNull();
        assertThat((String) spec.findOption("--sla-defaults").getValue()).isEqualTo("v1alpha1");
        assertThat(SlaDefaults.parse("v1alpha1").isl()).isEqualTo(3000);
        assertThat((String) spec.findOption("--model").getValue()).isEqualTo("Qwen/Qwen3-8B");
    }
}
