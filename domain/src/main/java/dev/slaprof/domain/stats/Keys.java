package dev.slaprof.domain.stats;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.avro.Sweep;

/** Bucket keys and the string ids used as store keys. */
public final class Keys {
    private Keys() {
    }

    /**
     * Bucket of a sample: prefill by ISL only (in-flight 1), decode by (in-flight, ISL). A planned measurement (the
     * benchmark worker's, the simulator's, a Dynamo sweep's import) keys on its sweep point exactly, so two points
     * never merge; unplanned traffic (the tap, imported natural workloads) goes to coarse {@link Buckets}.
     */
    public static StatsKey bucket(final LatencySample s) {
        return new StatsKey(s.getDeployment(), s.getRole(), Mappings.label(s.getMapping()), inFlightBucket(s),
            islBucket(s), oslBucket(s), sweep(s));
    }

    /** The OSL coordinate of a sample's bucket: the requested OSL of a planned decode point, else 0 (any). */
    public static int oslBucket(final LatencySample s) {
        return planned(s) && s.getRole() == Role.DECODE ? s.getLoad().getRequestedOsl() : 0;
    }

    /** The sweep coordinate of a sample's bucket: its planned sweep, else UNPLANNED. */
    public static Sweep sweep(final LatencySample s) {
        return planned(s) ? s.getLoad().getSweep() : Sweep.UNPLANNED;
    }

    /** The in-flight coordinate of a sample's bucket: 1 for prefill, the sweep point when planned, else coarse. */
    public static int inFlightBucket(final LatencySample s) {
        if (s.getRole() == Role.PREFILL) {
            return 1;
        }
        return planned(s) ? s.getLoad().getInFlight() : Buckets.bucket(s.getLoad().getInFlight());
    }

    /** The ISL coordinate of a sample's bucket: the requested ISL when planned, else coarse. */
    public static int islBucket(final LatencySample s) {
        return planned(s) ? s.getLoad().getIsl() : Buckets.bucket(s.getLoad().getIsl());
    }

    /** True for a sample measured at a planned sweep point. */
    public static boolean planned(final LatencySample s) {
        return switch (s.getSource().getKind()) {
            case BENCHMARK, SIMULATED -> true;
            case IMPORT -> DYNAMO_IMPORT_WORKER.equals(s.getSource().getWorkerId());
            default -> false;
        };
    }

    /** Worker id of samples imported from a Dynamo profiling run's sweep (planned points). */
    public static final String DYNAMO_IMPORT_WORKER = "dynamo-import";

    /** Stable text id of a deployment; fields separated by U+001F so free text cannot collide. */
    public static String deploymentId(final Deployment d) {
        return d.getModel() + '\u001f' + d.getBackend() + '\u001f' + d.getBackendVersion() + '\u001f'
            + d.getGpuType() + '\u001f' + d.getEngineVersion() + '\u001e';
    }

    /** Store key of a bucket under its deployment (prefix-scannable by {@link #deploymentId}). */
    public static String bucketId(final MappingLoadStats s) {
        return bucketId(statsKey(s));
    }

    /** The key a bucket is published under. */
    public static StatsKey statsKey(final MappingLoadStats s) {
        return new StatsKey(s.getDeployment(), s.getRole(), Mappings.label(s.getMapping()), s.getInFlight(),
            s.getIsl(), s.getOsl(), s.getSweep());
    }

    /** Store key of a bucket key. */
    public static String bucketId(final StatsKey k) {
        final String id = deploymentId(k.getDeployment()) + k.getRole() + '\u001f' + k.getMapping() + '\u001f'
            + k.getInFlight() + '\u001f' + k.getIsl();
        // An unplanned bucket's id is as before the OSL and sweep coordinates existed, so its stored state carries on.
        return k.getOsl() == 0 && k.getSweep() == Sweep.UNPLANNED ? id : id + '\u001f' + k.getOsl() + '\u001f' + k.getSweep();
    }
}
