package dev.slaprof.topology;

import dev.slaprof.domain.stats.Keys;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.Strategy;
import dev.slaprof.schema.avro.Sweep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The profile processor's per-sample lookups, with no string built and no Avro {@code equals} per sample: the
 * deployment of the previous sample is remembered, a deployment's buckets are hashed by a small record, and the
 * buckets whose in-memory counts are ahead of their objects are listed for the next {@link #syncAll}.
 */
final class BucketCache {
    /** A bucket's identity within its deployment, cheap to hash. */
    private record BucketRef(Role role, Strategy strategy, int gpus, int inFlight, int isl, int osl, Sweep sweep) {
    }

    /** A deployment's store id prefix and its buckets, built once. */
    static final class DeploymentBuckets {
        final String id;
        private final Map<BucketRef, LiveBucket> buckets = new HashMap<>();
        /** Flush period in which the deployment was last listed as changed. */
        long markedFlush = -1;

        DeploymentBuckets(final String id) {
            this.id = id;
        }
    }

    private final Map<Deployment, DeploymentBuckets> byDeployment = new HashMap<>();
    private final List<LiveBucket> unsynced = new ArrayList<>();
    private Deployment lastDeployment;
    private DeploymentBuckets lastBuckets;

    /** Forgets everything (a task (re)starts). */
    void clear() {
        byDeployment.clear();
        unsynced.clear();
        lastDeployment = null;
        lastBuckets = null;
    }

    /** The buckets of a sample's deployment, created on first use. */
    DeploymentBuckets deploymentOf(final Deployment d) {
        if (lastBuckets != null && sameDeployment(d, lastDeployment)) {
            return lastBuckets;
        }
        DeploymentBuckets of = byDeployment.get(d);
        if (of == null) {
            of = new DeploymentBuckets(Keys.deploymentId(d));
            byDeployment.put(d, of);
        }
        lastDeployment = d;
        lastBuckets = of;
        return of;
    }

    /** The sample's bucket in its deployment, created (with its store id) on first use. */
    static LiveBucket bucketOf(final DeploymentBuckets of, final LatencySample s, final int inFlight, final int isl) {
        final BucketRef ref = new BucketRef(s.getRole(), s.getMapping().getStrategy(), s.getMapping().getGpus(),
            inFlight, isl, Keys.oslBucket(s), Keys.sweep(s));
        LiveBucket bucket = of.buckets.get(ref);
        if (bucket == null) {
            bucket = new LiveBucket(Keys.bucketId(Keys.bucket(s)));
            of.buckets.put(ref, bucket);
        }
        return bucket;
    }

    /** Lists a bucket whose counts just got ahead of its object (once until the next {@link #syncAll}). */
    void markUnsynced(final LiveBucket bucket) {
        if (!bucket.unsynced) {
            bucket.unsynced = true;
            unsynced.add(bucket);
        }
    }

    /** Packs the in-memory histograms of every bucket updated since the last time into the bucket objects. */
    void syncAll() {
        for (final LiveBucket bucket : unsynced) {
            bucket.sync();
        }
        unsynced.clear();
    }

    /** Field-by-field equality (Avro's generic {@code equals} walks the schema; this runs per sample). */
    static boolean sameDeployment(final Deployment a, final Deployment b) {
        return b != null && a.getBackend() == b.getBackend() && a.getModel().equals(b.getModel())
            && a.getGpuType().equals(b.getGpuType()) && a.getEngineVersion().equals(b.getEngineVersion())
            && a.getBackendVersion().equals(b.getBackendVersion());
    }
}
