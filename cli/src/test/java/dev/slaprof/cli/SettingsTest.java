package dev.slaprof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** One precedence for every command: flag, then the command's files, then SLAPROF_* environment, then default. */
class SettingsTest {
    @TempDir
    Path dir;

    private static CommandSpec parsed(final String... args) {
        final CommandLine cli = Main.commandLine();
        cli.parseArgs(args);
        return cli.getSubcommands().get(args[0]).getCommandSpec();
    }

    @Test
    void shouldPutTheClientFileAboveTheEnvironmentAndTheFlagAboveBoth() throws Exception {
        final Path props = dir.resolve("client.properties");
        Files.writeString(props, "bootstrap.servers=from-file:9092\nsecurity.protocol=SSL\n");
        final Map<String, String> env = Map.of("SLAPROF_BOOTSTRAP_SERVERS", "from-env:9092",
            "SLAPROF_TOPIC_PREFIX", "team-a.", "SLAPROF_SCHEMA_REGISTRY_URL", "http://registry:8081");
        final CommandSpec file = parsed("topics", "--kafka-config", props.toString());
        Settings.apply(file, env);
        assertThat((String) file.findOption("--bootstrap-servers").getValue()).isEqualTo("from-file:9092");
        assertThat((String) file.findOption("--topic-prefix").getValue()).isEqualTo("team-a.");
        final CommandSpec flag = parsed("topics", "--kafka-config", props.toString(), "--bootstrap-servers",
            "from-flag:9092");
        Settings.apply(flag, env);
        assertThat((String) flag.findOption("--bootstrap-servers").getValue()).isEqualTo("from-flag:9092");
        final CommandSpec envOnly = parsed("tap", "--upstream", "http://e", "--mapping", "TP=1", "--model", "m",
            "--gpu-type", "g");
        Settings.apply(envOnly, env);
        assertThat((String) envOnly.findOption("--bootstrap-servers").getValue()).isEqualTo("from-env:9092");
        assertThat((String) envOnly.findOption("--schema-registry-url").getValue()).isEqualTo("http://registry:8081");
    }

    @Test
    void shouldApplyTheSameSlaOptionsFromTheEnvironmentToEveryCommandThatTakesThem() {
        final Map<String, String> env = Map.of("SLAPROF_TTFT", "120", "SLAPROF_STATISTIC", "p90");
        for (final String command : new String[] {"run", "stream", "bench-estimate"}) {
            final CommandSpec spec = parsed(command, "--itl", "7");
            Settings.apply(spec, env);
            assertThat((Double) spec.findOption("--ttft").getValue()).as(command).isEqualTo(120.0);
            assertThat((Double) spec.findOption("--itl").getValue()).as(command).isEqualTo(7.0);
            assertThat((String) spec.findOption("--statistic").getValue()).as(command).isEqualTo("p90");
        }
    }

    @Test
    void shouldNameTheOptionAndItsSourceForAValueThatDoesNotConvert() {
        final CommandSpec spec = parsed("stream");
        assertThatThrownBy(() -> Settings.apply(spec, Map.of("SLAPROF_RATE_LIMIT_MS", "soon")))
            .hasMessage("bad value 'soon' for --rate-limit-ms from SLAPROF_RATE_LIMIT_MS (long)");
        final CommandSpec horizon = parsed("stream");
        Settings.apply(horizon, Map.of("SLAPROF_HORIZON", "30m"));
        assertThat(horizon.findOption("--horizon").<Object>getValue()).hasToString("PT30M");
    }

    @Test
    void shouldReportABadFileAsOneErrorLineAndANonZeroExit() throws Exception {
        final Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: nvidia.com/v1beta1\nkind: DynamoGraphDeploymentRequest\n"
            + "spec:\n  model: Qwen/Qwen3-32B\n  workload: {requestRate: 5, concurrency: 20}\n");
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        final int rc = cli.execute("run", "--config", bad.toString(), "--ui-port", "0");
        assertThat(rc).as("a bad setting is a usage error").isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("slaprof: error: ").contains("mutually exclusive")
            .doesNotContain("\tat ");
    }
}
