package dev.slaprof.cli;

import dev.slaprof.profiler.LocalEngineSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code --engines local}: which devices, which server command, how long to wait for it. */
final class LocalEngineOptions {
    @Option(names = "--gpus", paramLabel = "DEVICES", description = "With --engines local: the GPUs the engines may "
        + "use (0-7, 0,2,4 or none). Each candidate gets its TP size of them as CUDA_VISIBLE_DEVICES; none runs the "
        + "engines on CPU, where TP means CPU workers.")
    String gpus;
    @Option(names = "--engine-python", defaultValue = "python3", description = "With --engines local: the Python "
        + "whose packages hold the backend ({python} in the templates).")
    String python;
    @Option(names = "--engine-templates", paramLabel = "FILE", description = "With --engines local: a YAML file of "
        + "per-backend command templates replacing the bundled ones (config/engines/engines.yaml).")
    Path templates;
    @Option(names = "--engine-start-timeout", defaultValue = "PT10M", description = "With --engines local: how long "
        + "an engine may take to answer its health check.")
    Duration startTimeout;
    @Option(names = "--engine-stop-grace", defaultValue = "PT20S", description = "With --engines local: how long a "
        + "stopped engine gets after SIGTERM before SIGKILL.")
    Duration stopGrace;

    /** The settings of the profiler's local engines; an error for a missing or malformed --gpus. */
    LocalEngineSettings settings() {
        return new LocalEngineSettings(devices(), python, startTimeout, stopGrace);
    }

    /** The device ids of --gpus: empty for none; an error for a missing or malformed value. */
    List<Integer> devices() {
        return LocalEngineSettings.parseDevices(gpus);
    }
}
