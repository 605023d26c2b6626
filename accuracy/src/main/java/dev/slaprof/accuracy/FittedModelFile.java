package dev.slaprof.accuracy;

import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import java.util.Locale;
import java.util.Map;

/** A fit written in {@code config/perf-model.yaml}'s format, so that copying it over the bundled file adopts it. */
public final class FittedModelFile {
    private FittedModelFile() {
    }

    /**
     * The fitted perf-model.yaml: the bundled top-level values, each fitted backend's constants under backends;
     * {@code fittedBy} says by what command on what rows (the file's first comment).
     */
    public static String yaml(final Catalog catalog, final Map<String, PerfParams> fitted, final String fittedBy) {
        final PerfParams top = catalog.params("", "");
        final StringBuilder s = new StringBuilder();
        s.append("# The fitted constants of the performance model (simulator PerfModel), per backend. Fitted by\n")
            .append("# ").append(fittedBy).append(".\n")
            .append("# Terms, fits and leave-one-group-out errors: docs/CALIBRATION.md.\n");
        append(s, "", top);
        s.append("backends:\n");
        for (final String b : new String[] {"vllm", "sglang", "trtllm"}) {
            final PerfParams p = catalog.params(b);
            s.append("  ").append(b).append(":\n");
            s.append("    scheduler: ").append(p.scheduler()).append('\n')
                .append("    max_batched_tokens: ").append(p.maxBatchedTokens()).append('\n')
                .append("    generations:\n");
            fitted.forEach((unit, fp) -> {
                if (unit.startsWith(b + "/")) {
                    s.append("      ").append(unit.substring(b.length() + 1)).append(":\n");
                    final double[] v = fp.fitted();
                    for (int i = 0; i < v.length; i++) {
                        s.append("        ").append(PerfParams.FITTED[i]).append(": ")
                            .append(String.format(Locale.ROOT, "%.6g", v[i])).append('\n');
                    }
                }
            });
        }
        return s.toString();
    }

    private static void append(final StringBuilder s, final String indent, final PerfParams p) {
        final double[] v = p.fitted();
        for (int i = 0; i < v.length; i++) {
            s.append(indent).append(PerfParams.FITTED[i]).append(": ").append(String.format(Locale.ROOT, "%.6g", v[i]))
                .append('\n');
        }
        s.append(indent).append("gpu_memory_utilization: ").append(p.gpuMemoryUtilization()).append('\n')
            .append(indent).append("block_size: ").append(p.blockSize()).append('\n')
            .append(indent).append("max_batched_tokens: ").append(p.maxBatchedTokens()).append('\n')
            .append(indent).append("scheduler: ").append(p.scheduler()).append('\n');
    }
}
