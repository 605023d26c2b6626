package dev.slaprof.cli;

import dev.slaprof.dynamo.SlaDefaults;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The SLA profile's options, one definition for every command that takes them ({@code run}, {@code stream},
 * {@code bench-estimate}): the TTFT and ITL targets, the ISL and OSL they hold at, and the statistic they bound.
 * A target not given comes from a set of defaults: today's Dynamo ({@code v1beta1}, the DGDR's {@code spec.sla} and
 * {@code spec.workload} defaults: TTFT 2000 ms, ITL 30 ms at ISL 4000 / OSL 1000) or the old profiler's
 * ({@code v1alpha1}, {@code profile_sla.py}'s: TTFT 50 ms, ITL 10 ms at ISL 3000 / OSL 500), kept for parity checks.
 */
final class SlaOptions {
    @Option(names = "--sla-defaults", defaultValue = "v1beta1", description = "Where the SLA targets not given "
        + "come from: v1beta1 (today's Dynamo: TTFT 2000 ms, ITL 30 ms, ISL 4000, OSL 1000) or v1alpha1 (the old "
        + "profiler's: TTFT 50 ms, ITL 10 ms, ISL 3000, OSL 500). Default: ${DEFAULT-VALUE}.")
    String slaDefaults;
    @Option(names = "--ttft", description = "TTFT target, ms (default: from --sla-defaults).")
    Double ttft;
    @Option(names = "--itl", description = "ITL target, ms (default: from --sla-defaults).")
    Double itl;
    @Option(names = "--isl", description = "Target average ISL, tokens (default: from --sla-defaults).")
    Integer isl;
    @Option(names = "--osl", description = "Target average OSL, tokens (default: from --sla-defaults).")
    Integer osl;
    @Option(names = "--statistic", defaultValue = "mean", description = "mean, p50, p90, p95 or p99.")
    String statistic;

    /** The defaults the targets not given come from. */
    SlaDefaults defaults() {
        return SlaDefaults.parse(slaDefaults == null ? "v1beta1" : slaDefaults);
    }

    double ttftMs() {
        return ttft != null ? ttft : defaults().ttftMs();
    }

    double itlMs() {
        return itl != null ? itl : defaults().itlMs();
    }

    int isl() {
        return isl != null ? isl : defaults().isl();
    }

    int osl() {
        return osl != null ? osl : defaults().osl();
    }

    /** Where the targets come from, for the run's first line: "given" or the defaults' source. */
    String source() {
        final boolean all = ttft != null && itl != null && isl != null && osl != null;
        return all ? "as given" : (ttft == null && itl == null && isl == null && osl == null ? "" : "the rest ")
            + "from " + defaults().source();
    }

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
        if (!(ttftMs() > 0) || !(itlMs() > 0)) {
            throw new IllegalArgumentException("--ttft and --itl must be > 0 (got " + ttftMs() + ", " + itlMs()
                + ")");
        }
        if (isl() < 1 || osl() < 2) {
            throw new IllegalArgumentException("--isl must be >= 1 and --osl >= 2 (got " + isl() + ", " + osl()
                + ")");
        }
        statistic();
    }

    /** The profile named {@code name} with these targets and the given engine sizes. */
    SlaTarget target(final String name, final int minGpus, final int maxGpus, final boolean holdPicks) {
        validate();
        return SlaTargets.of(name, ttftMs(), itlMs(), isl(), osl(), statistic(), minGpus, maxGpus, 1, holdPicks);
    }
}
