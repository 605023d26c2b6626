package dev.slaprof.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Continuous profiling: re-profiling rounds after the first sweep, focus rounds and the samples' horizon. */
final class FollowOptions {
    @Option(names = "--follow", description = "Keep running after the sweep, re-profiling until Ctrl-C.")
    boolean follow;
    @Option(names = "--follow-interval", defaultValue = "PT60S", description = "Pause between re-profiling rounds.")
    Duration followInterval;
    @Option(names = "--follow-rounds", defaultValue = "0",
        description = "With --follow: stop after this many re-profiling rounds (0 = until Ctrl-C).")
    int followRounds;

    @Option(names = "--focus", defaultValue = "4",
        description = "With --follow: after each sweep, re-measure this many buckets whose confidence intervals are "
            + "widest (0 = off).")
    int focus;

    @Option(names = "--horizon", defaultValue = "none", converter = HorizonConverter.class,
        description = "With --follow: age out samples older than this (none, 90s, 30m, 6h, 7d), so a changed engine is "
            + "re-learned.")
    Duration horizon;

    void validate() {
        if (followRounds < 0) {
            throw new IllegalArgumentException("--follow-rounds must be >= 0, got " + followRounds);
        }
    }
}
