package dev.slaprof.topology;

/** Names of every store, repartition topic and processor of the topology, in one place. */
public final class TopologyNames {
    /** Per-bucket statistics (aggregate store; changelog-backed). */
    public static final String BUCKET_STATS_STORE = "bucket-stats-store";
    /** Statistics of every bucket, keyed by deployment id + bucket, for the recommender. */
    public static final String DEPLOYMENT_STATS_STORE = "deployment-stats-store";
    /** Last recommendation per deployment id + profile (the anti-flapping incumbent). */
    public static final String RECOMMENDATION_STORE = "recommendation-store";
    /** Event ids seen within the de-duplication window. */
    public static final String DEDUP_STORE = "dedup-store";
    /** How long an event id is remembered: a redelivery later than this counts again. */
    public static final java.time.Duration DEDUP_WINDOW = java.time.Duration.ofHours(1);
    /** Global store of SLA profiles. */
    public static final String SLA_STORE = "sla-targets-store";
    /** Global store of engine capacities. */
    public static final String CAPACITY_STORE = "engine-capacity-store";
    /** Repartition of valid samples by bucket key. */
    public static final String SAMPLES_BY_BUCKET = "samples-by-bucket";
    /** Repartition of bucket statistics by deployment. */
    public static final String STATS_BY_DEPLOYMENT = "stats-by-deployment";
    /** Header carrying the dead-letter reason. */
    public static final String DLQ_REASON_HEADER = "slaprof.dlq.reason";

    private TopologyNames() {
    }
}
