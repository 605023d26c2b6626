package dev.slaprof.cli;

import dev.slaprof.accuracy.AicEstimator;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --peers-python} option of the commands that ask AI Configurator. */
final class PeersPythonOption {
    @Option(names = "--peers-python", paramLabel = "PYTHON", description = "Python with aiconfigurator installed "
        + "(default: SLAPROF_PEERS_PYTHON, else .peers/venv/bin/python).")
    Path path;

    Path resolve() {
        return AicEstimator.python(path);
    }
}
