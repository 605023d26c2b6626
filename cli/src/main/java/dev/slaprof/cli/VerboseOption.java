package dev.slaprof.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}: stack traces on errors ({@link ErrorHandler} reads it from the parse result). */
final class VerboseOption {
    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;
}
