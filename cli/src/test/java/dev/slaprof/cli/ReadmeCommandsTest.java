package dev.slaprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code ./slaprof} command the README shows parses against the real command line (every flag exists, every
 * value converts, every required option is there), and each is run for real by a named test or by {@code .ci/run}.
 * A README example that drifts from the code (issue 27 found {@code --engine-log TP=1=FILE} failing) fails here.
 */
class ReadmeCommandsTest {
    /**
     * Which test runs each README command for real (by its subcommand and distinguishing flag); a command the map
     * does not name fails the test, so a new README example must say where it is run.
     */
    private static final Map<String, String> RUN_BY = new LinkedHashMap<>();

    static {
        RUN_BY.put("run --help", "this test (it runs it)");
        RUN_BY.put("run --engines local --gpus none", "RealVllmIT (real vLLM TP=1 and TP=2 on CPU)");
        RUN_BY.put("run --engines local --gpus 0-7", "LocalEngineWavesIT (the same launcher in waves on --gpus 0-3; "
            + "GPUs themselves are not on this machine)");
        RUN_BY.put("run --config", "V1beta1RunIT (a v1beta1 DGDR)");
        RUN_BY.put("run --follow", "VirtualRunIT (follow rounds from the round seed)");
        RUN_BY.put("run --model", "RunIT.shouldRunTheReadmesOtherModelExample (the README's line as written)");
        RUN_BY.put("run", "FatJarIT (the default run with java -jar: one answer, no ERROR)");
        RUN_BY.put("accuracy", "AccuracyPeerIT (the installed sample, with --aic on a stratified subset)");
        RUN_BY.put("calibrate --logo", "AccuracyPeerIT.shouldFitLeaveOneGroupOutAsTheReadmesCalibrateCommand (three "
            + "groups of the installed sample; the full fit is docs/CALIBRATION.md's command)");
        RUN_BY.put("worker", "LocalEngineWavesIT (worker against a cluster, engines it starts)");
        RUN_BY.put("tap", "TapCommandIT (the fat jar's tap in its own JVM, SIGTERM at the end); RealVllmIT puts its "
            + "proxy in front of real vLLM");
        RUN_BY.put("import-trace", "ImportTraceIT (10,000 records, a rotation, SIGKILL halfway)");
        RUN_BY.put("import-aiperf", "ClusterModeIT (AIPerf records into a cluster)");
    }

    /** The README's {@code ./slaprof} commands, continuation lines joined, comments and {@code [optional]} marks off. */
    static List<String> commands(final String readme) {
        final List<String> out = new ArrayList<>();
        boolean code = false;
        StringBuilder pending = null;
        for (final String raw : readme.split("\n")) {
            if (raw.startsWith("```")) {
                code = !code;
                continue;
            }
            if (!code) {
                continue;
            }
            String line = raw.replaceAll("\\s+#.*$", "").strip();
            if (pending == null && !line.startsWith("./slaprof ")) {
                continue;
            }
            final boolean more = line.endsWith("\\");
            line = more ? line.substring(0, line.length() - 1).strip() : line;
            pending = pending == null ? new StringBuilder(line) : pending.append(' ').append(line);
            if (!more) {
                out.add(pending.toString().substring("./slaprof ".length()).replaceAll("\\[([^]]*)]", "$1"));
                pending = null;
            }
        }
        return out;
    }

    private static String runBy(final String command) {
        String best = null;
        for (final String key : RUN_BY.keySet()) {
            final String[] words = key.split(" ");
            boolean all = command.equals(words[0]) || command.startsWith(words[0] + " ");
            for (int i = 1; i < words.length && all; i++) {
                all = command.contains(" " + words[i]);
            }
            if (all && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        return best == null ? null : RUN_BY.get(best);
    }

    @Test
    void shouldParseEveryReadmeCommandAndNameTheTestThatRunsIt() throws Exception {
        final String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        final List<String> commands = commands(readme);
        assertThat(commands).as("the README shows its commands").hasSizeGreaterThan(10);
        for (final String c : commands) {
            final CommandLine cli = Main.commandLine();
            final CommandLine.ParseResult parsed = cli.parseArgs(c.split("\\s+"));
            assertThat(parsed.subcommand()).as(c).isNotNull();
            assertThat(parsed.subcommand().unmatched()).as(c).isEmpty();
            assertThat(runBy(c)).as("which test runs the README's `./slaprof " + c + "`").isNotNull();
        }
        assertThat(commands).contains("run", "run --help");
        assertThat(Main.commandLine().execute("run", "--help")).isZero();
    }

    @Test
    void shouldRefuseAFlagTheCodeDoesNotHave() {
        final List<String> drifted = commands("```\n./slaprof worker --engine-logs TP=1=x.log \\\n"
            + "    --model m --gpu-type g\n```\n");
        assertThat(drifted).containsExactly("worker --engine-logs TP=1=x.log --model m --gpu-type g");
        final CommandLine cli = Main.commandLine();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cli.parseArgs(drifted.get(0).split("\\s+")))
            .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--engine-logs");
    }
}
