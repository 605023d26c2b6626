package dev.slaprof.profiler;

import java.time.Duration;
import java.util.List;

/**
 * How slaprof starts real engines ({@code --engines local}).
 *
 * @param devices      the GPU ids engines may use; empty: CPU engines, where TP means CPU workers
 * @param python       the Python whose packages hold the backend ({python} in the templates)
 * @param startTimeout how long an engine may take to answer its health check
 * @param stopGrace    how long a stopped engine gets after SIGTERM before SIGKILL
 */
public record LocalEngineSettings(List<Integer> devices, String python, Duration startTimeout, Duration stopGrace) {
    public LocalEngineSettings {
        devices = List.copyOf(devices);
    }
}
