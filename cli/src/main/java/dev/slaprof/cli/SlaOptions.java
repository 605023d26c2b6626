package dev.slaprof.cli;

import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The SLA profile's options, one definition for every command that takes them ({@code run}, {@code stream},
 * {@code bench-estimate}): the TTFT and ITL targets, the ISL and OSL they hold at, and the statistic they bound.
 */
final class SlaOptions {
    @Option(names = "--ttft", defaultValue = "50", description = "TTFT target, ms.")
    double ttftMs;
    @Option(names = "--itl", defaultValue = "10", description = "ITL target, ms.")
    double itlMs;
    @Option(names = "--isl", defaultValue = "3000", description = "Target average ISL, tokens.")
    int isl;
    @Option(names = "--osl", defaultValue = "500", description = "Target average OSL, tokens.")
    int osl;
    @Option(names = "--statistic", defaultValue = "mean", description = "mean, p50, p90, p95 or p99.")
    String statistic;

    /** The statistic the targets bound; an unknown name is an error listing the known ones. */
    Statistic statistic() {
        try {
            return Statistic.valueOf(statistic.toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --statistic '" + statistic + "' (mean, p50, p90, p95, p99)");
        }
    }

    /** Refuses targets and lengths no profile can hold, naming the options. */
    void validate() {
        if (!(ttftMs > 0) || !(itlMs > 0)) {
            throw new IllegalArgumentException("--ttft and --itl must be > 0 (got " + ttftMs + ", " + itlMs + ")");
        }
        if (isl < 1 || osl < 2) {
            throw new IllegalArgumentException("--isl must be >= 1 and --osl >= 2 (got " + isl + ", " + osl + ")");
        }
        statistic();
    }

    /** The profile named {@code name} with these targets and the given engine sizes. */
    SlaTarget target(final String name, final int minGpus, final int maxGpus, final boolean holdPicks) {
        validate();
        return SlaTargets.of(name, ttftMs, itlMs, isl, osl, statistic(), minGpus, maxGpus, 1, holdPicks);
    }
}
