package dev.slaprof.embedded;

import dev.slaprof.schema.TopicNames;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka principals of a guarded {@code slaprof run}, each with its own SCRAM credentials, and what KRaft's
 * {@code StandardAuthorizer} lets each do on the embedded broker (nothing else is allowed:
 * {@code allow.everyone.if.no.acl.found=false}). Only the producers write {@code latency-samples}; only the sink
 * writes {@code selections}, so a pin's {@code pinned_by} comes from the sink, which takes it from an authenticated
 * HTTP request.
 */
public enum RunPrincipal {
    /** The benchmark worker, the importers and the run's own SLA publisher. */
    PRODUCER("slaprof-producer"),
    /** The Kafka Streams topology: reads the inputs, writes statistics, recommendations and dead letters. */
    STREAM("slaprof-stream"),
    /** The sinks: reads what the topology wrote, writes pins. */
    SINK("slaprof-sink");

    /** The Streams application id of a run starts so: its group, internal topics and transactional ids. */
    public static final String STREAMS_PREFIX = "slaprof-run-";

    private final String user;

    RunPrincipal(final String user) {
        this.user = user;
    }

    /** The SCRAM user name. */
    public String user() {
        return user;
    }

    /** Every ACL of the run, for {@code prefix}-ed topic names ("" without --topic-prefix). */
    public static List<AclBinding> acls(final String prefix) {
        final List<AclBinding> out = new ArrayList<>();
        PRODUCER.topics(out, prefix, AclOperation.WRITE, TopicNames.LATENCY_SAMPLES, TopicNames.ENGINE_CAPACITY,
            TopicNames.SLA_TARGETS, TopicNames.DEAD_LETTERS);
        STREAM.topics(out, prefix, AclOperation.READ, TopicNames.LATENCY_SAMPLES, TopicNames.ENGINE_CAPACITY,
            TopicNames.SLA_TARGETS, TopicNames.SELECTIONS);
        STREAM.topics(out, prefix, AclOperation.WRITE, TopicNames.MAPPING_LOAD_STATS, TopicNames.RECOMMENDATIONS,
            TopicNames.DEAD_LETTERS);
        // Its group, changelog and repartition topics and transactional ids all begin with the application id.
        for (final ResourceType t : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
            out.add(STREAM.allow(new ResourcePattern(t, STREAMS_PREFIX, PatternType.PREFIXED), AclOperation.ALL));
        }
        SINK.topics(out, prefix, AclOperation.READ, TopicNames.RECOMMENDATIONS, TopicNames.MAPPING_LOAD_STATS,
            TopicNames.SELECTIONS, TopicNames.SLA_TARGETS, TopicNames.ENGINE_CAPACITY);
        SINK.topics(out, prefix, AclOperation.WRITE, TopicNames.SELECTIONS);
        return out.stream().distinct().toList();
    }

    private void topics(final List<AclBinding> out, final String prefix, final AclOperation op,
                        final String... names) {
        for (final String n : names) {
            final ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, prefix + n, PatternType.LITERAL);
            out.add(allow(topic, op));
            out.add(allow(topic, AclOperation.DESCRIBE));
        }
    }

    private AclBinding allow(final ResourcePattern resource, final AclOperation op) {
        return new AclBinding(resource, new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }
}
