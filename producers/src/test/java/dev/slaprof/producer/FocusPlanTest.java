package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.MetricStats;
import dev.slaprof.schema.avro.Role;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Extra samples go where the intervals are widest: unmeasured and noisy buckets first, precise ones never. */
class FocusPlanTest {
    private static final Deployment D = new Deployment("m", Backend.VLLM, "", "H200-SXM", "");

    private static MetricStats metric(final long n, final double mean, final double sd) {
        return new MetricStats(n, mean, sd * sd * (n - 1), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, ByteBuffer.allocate(0));
    }

    private static MappingLoadStats bucket(final Deployment d, final Role role, final int gpus, final MetricStats m) {
        final MetricStats none = metric(0, 0, 0);
        return MappingLoadStats.newBuilder().setDeployment(d).setRole(role).setMapping(Mappings.tp(gpus))
            .setInFlight(1).setIsl(3000).setOkCount(m.getCount()).setWarmupCount(0).setFailedCount(0)
            .setTtft(role == Role.PREFILL ? m : none).setItl(role == Role.DECODE ? m : none).setInputTokens(0)
            .setOutputTokens(0).setRuns(new ArrayList<>()).setFirstEventUs(0).setLastEventUs(0).build();
    }

    @Test
    void shouldRankByRelativeIntervalWidth() {
        final MappingLoadStats single = bucket(D, Role.PREFILL, 1, metric(1, 100, 0));
        final MappingLoadStats noisy = bucket(D, Role.DECODE, 2, metric(10, 20, 10));
        final MappingLoadStats fair = bucket(D, Role.PREFILL, 4, metric(100, 50, 10));
        final MappingLoadStats precise = bucket(D, Role.DECODE, 8, metric(10_000, 20, 1));
        final MappingLoadStats other = bucket(new Deployment("x", Backend.VLLM, "", "B200", ""), Role.DECODE, 1,
            metric(1, 1, 0));
        final List<FocusPlan.Target> t = FocusPlan.widest(List.of(fair, precise, noisy, other, single), D, 10);
        assertThat(t).extracting(FocusPlan.Target::stats).containsExactly(single, noisy, fair);
        // 1.96 * 10 / sqrt(10) / 20 = 0.3099
        assertThat(t.get(1).relativeWidth()).isBetween(0.3098, 0.3100);
        assertThat(FocusPlan.widest(List.of(fair, precise, noisy, single), D, 2)).hasSize(2);
    }

    @Test
    void shouldBreakTiesByTheBucketKeyWhateverTheArrivalOrder() {
        // Every one-sample bucket is infinitely wide: the plan must not follow the order the statistics came in
        // (a Map.copyOf iterates in a per-JVM random order), or equal seeds would re-measure different buckets.
        final List<MappingLoadStats> ties = new ArrayList<>();
        for (final int gpus : new int[] {8, 1, 4, 2}) {
            ties.add(bucket(D, Role.DECODE, gpus, metric(1, 10, 0)));
            ties.add(bucket(D, Role.PREFILL, gpus, metric(1, 10, 0)));
        }
        final List<MappingLoadStats> reversed = new ArrayList<>(ties);
        Collections.reverse(reversed);
        final List<FocusPlan.Target> a = FocusPlan.widest(ties, D, 3);
        assertThat(FocusPlan.widest(reversed, D, 3)).isEqualTo(a);
        assertThat(a).extracting(t -> t.stats().getRole() + " " + Mappings.label(t.stats().getMapping()))
            .containsExactly("PREFILL TP=1", "PREFILL TP=2", "PREFILL TP=4");
    }
}
