package dev.slaprof.profiler;

import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * The device ids of a {@code --gpus} value: ranges and lists ({@code 0-7}, {@code 0,2,4}), or {@code none} (empty:
     * CPU engines). A missing, malformed or repeated value is an error naming the option.
     */
    public static List<Integer> parseDevices(final String gpus) {
        if (gpus == null || gpus.isBlank()) {
            throw new IllegalArgumentException("--engines local needs --gpus: the GPUs to use (0-7, 0,2,4) or none "
                + "for CPU engines");
        }
        final List<Integer> out = new ArrayList<>();
        if (gpus.trim().equalsIgnoreCase("none")) {
            return out;
        }
        for (final String part : gpus.split(",")) {
            final String p = part.trim();
            try {
                final String[] ab = p.split("-", 2);
                final int a = Integer.parseInt(ab[0].trim());
                final int b = ab.length == 2 ? Integer.parseInt(ab[1].trim()) : a;
                if (a > b || a < 0) {
                    throw new NumberFormatException();
                }
                for (int i = a; i <= b; i++) {
                    out.add(i);
                }
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("bad --gpus '" + gpus + "': give device ids (0-7 or 0,2,4) or "
                    + "none");
            }
        }
        if (out.stream().distinct().count() != out.size()) {
            throw new IllegalArgumentException("bad --gpus '" + gpus + "': a device is listed twice");
        }
        return out;
    }
}
