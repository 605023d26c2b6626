package dev.slaprof.e2e;

import dev.slaprof.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the slaprof command in this JVM, capturing what it prints. */
final class CliRunner {
    /** Exit code and output of one invocation. */
    record Outcome(int exitCode, String output) {
    }

    private CliRunner() {
    }

    static Outcome run(final String... args) {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        final int rc;
        try (PrintStream ps = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            final CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(ps, true));
            rc = cli.execute(args);
        } finally {
            System.setOut(original);
        }
        final String out = captured.toString(StandardCharsets.UTF_8);
        original.println(out);
        return new Outcome(rc, out);
    }
}
