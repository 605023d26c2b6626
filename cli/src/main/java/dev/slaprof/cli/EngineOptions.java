package dev.slaprof.cli;

import dev.slaprof.producer.SweepPlans;
import dev.slaprof.profiler.EngineFleet;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The engines a run profiles (virtual, HTTP or local real ones) and how: jitter, time scale, burst cap, seed. */
final class EngineOptions {
    /** Decode burst cap with --engines http: the streams one 2-core machine drives over loopback. */
    static final int HTTP_MAX_CONCURRENCY = 128;

    @Option(names = "--engines", defaultValue = "virtual", description = {"virtual: simulated engines in virtual "
        + "time (a discrete-event simulation: exact, reproducible from --seed, no host noise);",
        "http: OpenAI-compatible simulated servers in scaled real time, measured over loopback HTTP (the real "
            + "client path; the run prints its error against the engines' own schedule);",
        "local: the backend's real servers, started by slaprof per candidate (see --gpus, --engine-python, "
            + "--engine-templates)."})
    String engines;
    @Mixin
    LocalEngineOptions local;
    @Option(names = "--jitter", defaultValue = "0.03",
        description = "Sigma of the simulated engines' lognormal jitter on every step (0 = the model exactly).")
    double jitter;
    @Option(names = "--time-scale", defaultValue = "5",
        description = {"With --engines http: simulated model ms per wall ms; measurements are scaled back.",
            "5 keeps the measurement error's median within 3 % on a 2-core machine (docs/CALIBRATION.md)."})
    double timeScale;
    @Option(names = "--max-concurrency", description = "Cap on a decode burst. Default: Dynamo's 2000 with virtual "
        + "engines; 128 with --engines http (the HTTP streams one 2-core machine drives).")
    Integer maxConcurrency;
    @Option(names = "--seed", defaultValue = "100", description = "Seed of prompts and engine jitter.")
    long seed;

    /** True with --engines local. */
    boolean local() {
        return "local".equalsIgnoreCase(engines);
    }

    /** The cap on a decode burst: --max-concurrency, else Dynamo's with virtual engines, else the HTTP one. */
    int decodeCap() {
        return maxConcurrency != null ? maxConcurrency : "virtual".equalsIgnoreCase(engines)
            ? SweepPlans.DECODE_MAX_CONCURRENCY : HTTP_MAX_CONCURRENCY;
    }

    void validate() {
        if (timeScale <= 0 || maxConcurrency != null && maxConcurrency < 1) {
            throw new IllegalArgumentException("--time-scale must be > 0 and --max-concurrency >= 1");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("--jitter must be in [0, 1), got " + jitter);
        }
        EngineFleet.Kind.parse(engines);
    }
}
