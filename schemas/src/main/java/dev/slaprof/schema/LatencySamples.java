package dev.slaprof.schema;

import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Load;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Phase;
import dev.slaprof.schema.avro.RequestStatus;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SampleSource;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.StatusCode;
import dev.slaprof.schema.avro.Sweep;
import java.util.UUID;

/** Builders for {@link LatencySample}: every field set, with sensible defaults for the ids. */
public final class LatencySamples {
    private LatencySamples() {
    }

    /**
     * A successful profiling sample.
     *
     * @param startUs request start, epoch microseconds
     * @param ttftMs  TTFT in ms
     * @param itlMs   ITL in ms, or null when OSL &lt; 2
     * @param osl     output tokens
     */
    public static LatencySample ok(final Deployment d, final Role role, final Mapping m, final SampleSource source,
                                   final int inFlight, final int isl, final int osl, final long startUs,
                                   final double ttftMs, final Double itlMs) {
        final double latencyMs = ttftMs + (itlMs == null ? 0 : itlMs * Math.max(0, osl - 1));
        final long endUs = startUs + Math.round(latencyMs * 1000);
        return LatencySample.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setEventTimeUs(endUs)
            .setSource(source)
            .setPhase(Phase.PROFILING)
            .setDeployment(d)
            .setRole(role)
            .setMapping(m)
            .setLoad(new Load(inFlight, isl, osl, Sweep.UNPLANNED))
            .setTtftMs(ttftMs)
            .setItlMs(itlMs)
            .setRequestLatencyMs(latencyMs)
            .setInputTokens(isl)
            .setOutputTokens(osl)
            .setRequestStartUs(startUs)
            .setRequestEndUs(endUs)
            .setStatus(new RequestStatus(StatusCode.OK, 200, null, null))
            .build();
    }

    /** A source record. */
    public static SampleSource source(final SourceKind kind, final String worker, final String runId) {
        return new SampleSource(kind, worker, runId);
    }
}
