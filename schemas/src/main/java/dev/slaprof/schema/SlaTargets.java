package dev.slaprof.schema;

import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;

/** SLA profiles with the classic fields given and every later field at its schema default. */
public final class SlaTargets {
    private SlaTargets() {
    }

    /** A profile of Dynamo's classic profiler: targets, statistic, GPU bounds, sample floor, anti-flapping. */
    public static SlaTarget of(final String profile, final double ttftMs, final double itlMs, final int isl,
                               final int osl, final Statistic statistic, final int minGpus, final int maxGpus,
                               final int minSamples, final boolean holdPicks) {
        return SlaTarget.newBuilder().setProfile(profile).setTtftMs(ttftMs).setItlMs(itlMs).setIsl(isl).setOsl(osl)
            .setStatistic(statistic).setMinGpus(minGpus).setMaxGpus(maxGpus).setMinSamples(minSamples)
            .setHoldPicks(holdPicks).build();
    }
}
