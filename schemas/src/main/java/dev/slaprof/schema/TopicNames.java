package dev.slaprof.schema;

import java.util.List;

/** Every topic name slaprof uses, in one place. Partition counts and configs live in config/topics.properties. */
public final class TopicNames {
    /** Input: one {@code LatencySample} per request, keyed by {@code Deployment}. Delete policy, 7 days. */
    public static final String LATENCY_SAMPLES = "latency-samples";
    /** Engine KV capacity per deployment and mapping; {@code cleanup.policy=compact} (latest value per key). */
    public static final String ENGINE_CAPACITY = "engine-capacity";
    /** SLA profiles keyed by profile name; {@code cleanup.policy=compact}. */
    public static final String SLA_TARGETS = "sla-targets";
    /** Per-bucket statistics snapshots; {@code cleanup.policy=compact}. */
    public static final String MAPPING_LOAD_STATS = "mapping-load-stats";
    /** Recommendation snapshots per deployment and profile; {@code cleanup.policy=compact}. */
    public static final String RECOMMENDATIONS = "recommendations";
    /** Pinned user choices from the web UI; {@code cleanup.policy=compact}. */
    public static final String SELECTIONS = "selections";
    /** Records that failed to deserialize or validate, with the reason in headers; delete policy. */
    public static final String DEAD_LETTERS = "dead-letters";

    /** All topics, in provisioning order. */
    public static final List<String> ALL = List.of(LATENCY_SAMPLES, ENGINE_CAPACITY, SLA_TARGETS,
        MAPPING_LOAD_STATS, RECOMMENDATIONS, SELECTIONS, DEAD_LETTERS);

    private TopicNames() {
    }
}
