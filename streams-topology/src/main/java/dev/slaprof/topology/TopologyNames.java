package dev.slaprof.topology;

import java.time.Duration;

/** Names of every store and processor of the topology (it has no repartition topic), in one place. */
public final class TopologyNames {
    /** Statistics of every bucket, keyed by deployment id + bucket (prefix-scannable per deployment). */
    public static final String BUCKET_STATS_STORE = "bucket-stats-store";
    /** Last recommendation per deployment id + profile (the anti-flapping incumbent). */
    public static final String RECOMMENDATION_STORE = "recommendation-store";
    /**
     * Event ids seen within the de-duplication window, as chunks of fingerprints keyed by time slot (held in memory,
     * see {@code Deduplicator}). Named apart from the window store of earlier versions, whose changelog it cannot read.
     */
    public static final String DEDUP_STORE = "dedup-ids-store";
    /**
     * Most event ids one task (input partition) remembers: past it the oldest are forgotten early (metric
     * {@code dedup-evicted}). 2 M ids take at most
     * 64 MB of heap per task (16 bytes per table entry, the table at most 3/4 full, doubling).
     */
    public static final int DEDUP_MAX_IDS = 2_000_000;
    /** Configuration key (in the Streams properties, e.g. from {@code --kafka-config}) overriding the capacity. */
    public static final String DEDUP_MAX_IDS_CONFIG = "slaprof.dedup.max.ids";
    /** How long an event id is remembered: a redelivery later than this counts again. */
    public static final Duration DEDUP_WINDOW = Duration.ofHours(1);
    /** Global store of SLA profiles. */
    public static final String SLA_STORE = "sla-targets-store";
    /** Global store of engine capacities. */
    public static final String CAPACITY_STORE = "engine-capacity-store";
    /** Previous generation of each bucket under an ageing horizon (present only with a horizon). */
    public static final String BUCKET_PREVIOUS_STORE = "bucket-stats-previous-store";
    /** Global store of pinned choices (the selections topic). */
    public static final String SELECTION_STORE = "selections-store";
    /** The de-duplicating and validating processor (the first after the source). */
    public static final String DEDUPLICATE = "deduplicate";
    /** Its child for invalid samples: re-keys them by event id for the dead-letter topic. */
    public static final String DEAD_LETTER_KEY = "dead-letter-key";
    /** Its child for valid samples: the statistics and recommendation processor. */
    public static final String PROFILE = "profile";
    /** Header carrying the dead-letter reason. */
    public static final String DLQ_REASON_HEADER = "slaprof.dlq.reason";

    private TopologyNames() {
    }

    /**
     * Fault injection for the lifecycle tests (never set in production): a sample of this model makes the profile
     * processor throw, which kills its stream thread.
     */
    public static final String FAULT_PROCESS_MODEL_CONFIG = "slaprof.fault.process.model";
    /** Fault injection for the containment test: recomputing a deployment of this model throws. */
    public static final String FAULT_RECOMPUTE_MODEL_CONFIG = "slaprof.fault.recompute.model";
}
