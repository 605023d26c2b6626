package dev.slaprof.topology;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.StatsKey;

/** Bucket keys and the string ids used as store keys. */
public final class Keys {
    private Keys() {
    }

    /** Bucket of a sample: prefill by ISL only (in-flight 1), decode by (in-flight, ISL). */
    public static StatsKey bucket(final LatencySample s) {
        final int inFlight = s.getRole() == Role.PREFILL ? 1 : Buckets.bucket(s.getLoad().getInFlight());
        return new StatsKey(s.getDeployment(), s.getRole(), Mappings.label(s.getMapping()), inFlight,
            Buckets.bucket(s.getLoad().getIsl()));
    }

    /** Stable text id of a deployment; fields separated by U+001F so free text cannot collide. */
    public static String deploymentId(final Deployment d) {
        return d.getModel() + '\u001f' + d.getBackend() + '\u001f' + d.getBackendVersion() + '\u001f'
            + d.getGpuType() + '\u001f' + d.getEngineVersion() + '\u001e';
    }

    /** Store key of a bucket under its deployment (prefix-scannable by {@link #deploymentId}). */
    public static String bucketId(final MappingLoadStats s) {
        return bucketId(new StatsKey(s.getDeployment(), s.getRole(), Mappings.label(s.getMapping()), s.getInFlight(),
            s.getIsl()));
    }

    /** Store key of a bucket key. */
    public static String bucketId(final StatsKey k) {
        return deploymentId(k.getDeployment()) + k.getRole() + '\u001f' + k.getMapping() + '\u001f' + k.getInFlight()
            + '\u001f' + k.getIsl();
    }
}
