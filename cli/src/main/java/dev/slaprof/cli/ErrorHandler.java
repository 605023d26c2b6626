package dev.slaprof.cli;

import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/** One clear line and a non-zero exit for any failure; the stack trace only with {@code --verbose}. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(final Exception ex, final CommandLine cmd,
                                        final CommandLine.ParseResult parsed) {
        final boolean verbose = parsed.hasMatchedOption("--verbose")
            || (parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose"));
        if (verbose) {
            ex.printStackTrace(cmd.getErr());
        }
        final String message = ex instanceof NoSuchFileException ? "no such file: " + ex.getMessage()
            : ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cmd.getErr().println("slaprof: error: " + message.lines().findFirst().orElse(message));
        return ex instanceof IllegalArgumentException ? 2 : 1;
    }
}
