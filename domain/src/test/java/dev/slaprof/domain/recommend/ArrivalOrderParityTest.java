package dev.slaprof.domain.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.domain.Fixtures;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Same data, same answer: the pick at the end of a sweep is Dynamo's rule on the final data, whatever order the
 * samples arrived in and whenever the topology recomputed on the way (here after every few samples, each time with
 * the previous recommendation as the incumbent, as the processor does).
 */
class ArrivalOrderParityTest {
    /** TP1 at 100 ms (30,000 tok/s/GPU at ISL 3000) against TP2 at 38 ms (39,474 tok/s/GPU: 31 % better). */
    private static List<LatencySample> samples() {
        final List<LatencySample> out = new ArrayList<>();
        final Random noise = new Random(5);
        for (int i = 0; i < 48; i++) {
            out.add(Fixtures.prefill(Mappings.tp(1), 3000, 100 * (1 + 0.4 * (noise.nextDouble() - 0.5))));
            out.add(Fixtures.prefill(Mappings.tp(2), 3000, 38 * (1 + 0.4 * (noise.nextDouble() - 0.5))));
        }
        return out;
    }

    /** Feeds the samples in {@code order}, recomputing after every {@code every} samples; returns the last pick. */
    private static String finalPick(final List<LatencySample> order, final int every, final SlaTarget sla) {
        final Map<String, MappingLoadStats> buckets = new HashMap<>();
        Recommendation last = null;
        for (int i = 0; i < order.size(); i++) {
            final LatencySample s = order.get(i);
            final var key = Keys.bucket(s);
            final MappingLoadStats b = buckets.computeIfAbsent(Keys.bucketId(key),
                k -> LatencyStats.empty(s, key.getInFlight(), key.getIsl()));
            LatencyStats.add(b, s);
            if ((i + 1) % every == 0 || i == order.size() - 1) {
                last = Recommender.recommend(Fixtures.DEPLOYMENT, sla, new ArrayList<>(buckets.values()), Map.of(),
                    last, 0);
            }
        }
        return last.getPrefill().getPoint().getLabel();
    }

    /** TP1's samples first, then TP2's: the order that let the incumbent rule keep TP1. */
    private static List<LatencySample> tp1First(final List<LatencySample> all) {
        final List<LatencySample> out = new ArrayList<>();
        all.stream().filter(s -> s.getMapping().getGpus() == 1).forEach(out::add);
        all.stream().filter(s -> s.getMapping().getGpus() == 2).forEach(out::add);
        return out;
    }

    @Test
    void shouldPickTheSameMappingWhateverTheArrivalOrder() {
        final List<LatencySample> all = samples();
        final SlaTarget sla = Fixtures.sla(1000, 50, Statistic.MEAN);
        final List<LatencySample> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(11));
        final List<LatencySample> reversed = new ArrayList<>(tp1First(all));
        Collections.reverse(reversed);
        final String reference = Recommender.recommend(Fixtures.DEPLOYMENT, sla,
            new ArrayList<>(bucketsOf(all).values()), Map.of(), null, 0).getPrefill().getPoint().getLabel();
        assertThat(reference).isEqualTo("TP=2");
        for (final int every : new int[] {1, 5, 32}) {
            assertThat(finalPick(tp1First(all), every, sla)).as("TP1 first, every %d", every).isEqualTo(reference);
            assertThat(finalPick(shuffled, every, sla)).as("shuffled, every %d", every).isEqualTo(reference);
            assertThat(finalPick(reversed, every, sla)).as("TP2 first, every %d", every).isEqualTo(reference);
        }
    }

    @Test
    void shouldHoldTheEarlierPickOnlyWhenTheProfileAsksForIt() {
        // Continuous profiling holds a pick until a rival wins beyond both intervals: with TP1 measured alone first
        // and recomputed often, its wide early interval holds it. This is the behaviour one-shot sweeps must not have.
        final List<LatencySample> few = new ArrayList<>();
        final Random noise = new Random(5);
        for (int i = 0; i < 8; i++) {
            few.add(Fixtures.prefill(Mappings.tp(1), 3000, 100 * (1 + 1.6 * (noise.nextDouble() - 0.5))));
        }
        for (int i = 0; i < 8; i++) {
            few.add(Fixtures.prefill(Mappings.tp(2), 3000, 38 * (1 + 1.6 * (noise.nextDouble() - 0.5))));
        }
        final SlaTarget hold = SlaTarget.newBuilder(Fixtures.sla(1000, 50, Statistic.MEAN)).setHoldPicks(true).build();
        assertThat(finalPick(few, 8, hold)).isEqualTo("TP=1");
        assertThat(finalPick(few, 8, Fixtures.sla(1000, 50, Statistic.MEAN))).isEqualTo("TP=2");
    }

    private static Map<String, MappingLoadStats> bucketsOf(final List<LatencySample> samples) {
        final Map<String, MappingLoadStats> buckets = new HashMap<>();
        for (final LatencySample s : samples) {
            final var key = Keys.bucket(s);
            LatencyStats.add(buckets.computeIfAbsent(Keys.bucketId(key),
                k -> LatencyStats.empty(s, key.getInFlight(), key.getIsl())), s);
        }
        return buckets;
    }
}
