package dev.slaprof.dynamo;

/**
 * The SLA targets a profile takes when none is given: today's Dynamo ({@code v1beta1}, the DGDR's {@code spec.sla}
 * and {@code spec.workload} defaults: TTFT 2000 ms, ITL 30 ms at ISL 4000 / OSL 1000) or the old profiler's
 * ({@code v1alpha1}, {@code profile_sla.py}'s: TTFT 50 ms, ITL 10 ms at ISL 3000 / OSL 500), kept for parity checks.
 */
public enum SlaDefaults {
    V1BETA1("Dynamo 1.x DGDR v1beta1 defaults", 2000, 30, 4000, 1000),
    V1ALPHA1("the v1alpha1 profiler's defaults", 50, 10, 3000, 500);

    private final String source;
    private final double ttftMs;
    private final double itlMs;
    private final int isl;
    private final int osl;

    SlaDefaults(final String source, final double ttftMs, final double itlMs, final int isl, final int osl) {
        this.source = source;
        this.ttftMs = ttftMs;
        this.itlMs = itlMs;
        this.isl = isl;
        this.osl = osl;
    }

    /** The defaults called {@code name} (any case); an unknown name is an error naming the known ones. */
    public static SlaDefaults parse(final String name) {
        for (final SlaDefaults d : values()) {
            if (d.name().equalsIgnoreCase(name.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown --sla-defaults '" + name + "' (v1beta1, v1alpha1)");
    }

    /** Where the defaults come from, for the run's first line. */
    public String source() {
        return source;
    }

    public double ttftMs() {
        return ttftMs;
    }

    public double itlMs() {
        return itlMs;
    }

    public int isl() {
        return isl;
    }

    public int osl() {
        return osl;
    }
}
