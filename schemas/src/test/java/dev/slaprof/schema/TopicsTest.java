package dev.slaprof.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.kafka.TopicProvisioner;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldNameEveryTopicUnderThePrefix() {
        final Topics t = Topics.create(registry, "team-a.");
        assertThat(List.of(t.samples().name(), t.capacity().name(), t.slaTargets().name(), t.stats().name(),
            t.recommendations().name(), t.selections().name(), t.deadLetters().name()))
            .containsExactlyElementsOf(t.names());
        assertThat(t.names()).allMatch(n -> n.startsWith("team-a.")).hasSize(TopicNames.ALL.size());
        assertThat(t.samples().name()).isEqualTo("team-a.latency-samples");
        assertThat(Topics.create(registry).names()).isEqualTo(TopicNames.ALL);
    }

    @Test
    void shouldProvisionTheSameNamesAsTheTopicsUse() {
        final List<String> specs = TopicProvisioner.load(null, "it.1234abcd.").stream()
            .map(TopicProvisioner.Spec::name).toList();
        assertThat(specs).containsExactlyInAnyOrderElementsOf(Topics.create(registry, "it.1234abcd.").names());
        assertThat(TopicProvisioner.load(null, "x.").get(0).partitions())
            .isEqualTo(TopicProvisioner.load(null).get(0).partitions());
    }

    @Test
    void shouldRefuseAPrefixKafkaWouldRefuse() {
        assertThatThrownBy(() -> Topics.create(registry, "team a/"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("topic prefix 'team a/' is not usable");
        assertThatThrownBy(() -> Topics.create(registry, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
