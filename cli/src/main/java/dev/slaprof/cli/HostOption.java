package dev.slaprof.cli;

import picocli.CommandLine.Option;

/** {@code --host}: the bind address of a command's server, loopback unless the user says otherwise. */
final class HostOption {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (loopback by default; any "
        + "other needs --api-token-file or --insecure-no-auth where the server has a guard).")
    String host;
}
