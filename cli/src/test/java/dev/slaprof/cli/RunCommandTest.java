package dev.slaprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Bad flags give one clear line and a non-zero exit before anything starts. */
class RunCommandTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--backend tensorflow | unknown backend 'tensorflow' (vllm, sglang, trtllm)",
        "--ttft 0 | --ttft and --itl must be > 0",
        "--itl -3 | --ttft and --itl must be > 0",
        "--min-num-gpus-per-engine 8 --max-num-gpus-per-engine 2 | --min-num-gpus-per-engine 8 must be >= 1 and <= "
            + "--max-num-gpus-per-engine 2",
        "--statistic p42 | unknown --statistic 'p42'",
        "--gpu-type TPUv5 | unknown GPU type 'TPUv5'",
        "--model nobody/none | unknown model 'nobody/none'"})
    void shouldRefuseBadFlagsWithOneLine(final String flags, final String message) {
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        final String[] args = ("run " + flags).split(" ");
        final int rc = cli.execute(args);
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).startsWith("slaprof: error: ").contains(message);
        assertThat(err.toString().lines()).hasSize(1);
    }
}
