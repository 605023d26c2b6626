package dev.slaprof.domain.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.domain.Fixtures;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dynamo's selection rules (spec §3, §4, §9) on statistics built without Kafka. */
class RecommenderTest {
    private static final double TOLERANCE = 1e-9;

    private static List<MappingLoadStats> stats(final LatencySample... samples) {
        final List<MappingLoadStats> out = new ArrayList<>();
        for (final LatencySample s : samples) {
            final var key = Keys.bucket(s);
            MappingLoadStats found = null;
            for (final MappingLoadStats m : out) {
                if (Keys.bucketId(m).equals(Keys.bucketId(LatencyStats.empty(s, key.getInFlight(), key.getIsl())))) {
                    found = m;
                }
            }
            if (found == null) {
                found = LatencyStats.empty(s, key.getInFlight(), key.getIsl());
                out.add(found);
            }
            LatencyStats.add(found, s);
        }
        return out;
    }

    private static Recommendation recommend(final double ttft, final double itl, final LatencySample... s) {
        return Recommender.recommend(Fixtures.DEPLOYMENT, Fixtures.sla(ttft, itl, Statistic.MEAN), stats(s), Map.of(),
            null, 0);
    }

    @Test
    void shouldNameAPointWhoseFailuresExceedFivePercentInTheWarnings() {
        final List<LatencySample> samples = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            samples.add(Fixtures.decode(Mappings.tp(1), 4, 10));
        }
        final LatencySample failed = Fixtures.decode(Mappings.tp(1), 4, 10);
        failed.getStatus().setCode(dev.slaprof.schema.avro.StatusCode.ERROR);
        samples.add(failed);
        // 1 of 20 is exactly 5 %: not a failed point. A second failure makes it one.
        assertThat(recommend(200, 50, samples.toArray(LatencySample[]::new)).getWarnings())
            .noneMatch(w -> w.startsWith("Failed point"));
        samples.add(failed);
        assertThat(recommend(200, 50, samples.toArray(LatencySample[]::new)).getWarnings())
            .contains("Failed point: decode TP=1 ISL 3000 x 4 in flight: 2 of 21 requests failed");
    }

    @Test
    void shouldBreakThroughputTiesBySweepOrder() {
        // TP=1 at 100 ms and TP=2 at 50 ms both give 30000 tok/s/GPU: the smaller GPU count comes first.
        final Recommendation r = recommend(200, 50, Fixtures.prefill(Mappings.tp(2), 3000, 50),
            Fixtures.prefill(Mappings.tp(1), 3000, 100));
        assertThat(r.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(r.getPrefillPoints()).extracting(p -> p.getLabel()).containsExactly("TP=1", "TP=2");
    }

    @Test
    void shouldCountALatencyExactlyAtTheTargetAsMeetingIt() {
        // Dynamo's filter is `ttft <= target`: TP=1 at exactly 50 ms (60000 tok/s/GPU) beats TP=2 at 40 ms (37500).
        final Recommendation r = recommend(50, 50, Fixtures.prefill(Mappings.tp(1), 3000, 50),
            Fixtures.prefill(Mappings.tp(2), 3000, 40));
        assertThat(r.getPrefill().getFeasible()).isTrue();
        assertThat(r.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        // A hair over the target is out.
        final Recommendation over = recommend(50, 50, Fixtures.prefill(Mappings.tp(1), 3000, 50.000001),
            Fixtures.prefill(Mappings.tp(2), 3000, 40));
        assertThat(over.getPrefill().getPoint().getLabel()).isEqualTo("TP=2");
    }

    @Test
    void shouldScanEveryPointWhenItlIsNotMonotoneInLoad() {
        // ITL 9, 11, 9.5 ms at 1, 8, 16 in flight (a non-monotone curve; target 10): Dynamo filters every point,
        // so 16 in flight (16 * 1000 / 9.5 = 1684 tok/s/GPU) wins although 8 in flight is over the target.
        final Recommendation r = recommend(1000, 10, Fixtures.decode(Mappings.tp(1), 1, 9),
            Fixtures.decode(Mappings.tp(1), 8, 11), Fixtures.decode(Mappings.tp(1), 16, 9.5));
        assertThat(r.getDecode().getPoint().getInFlight()).isEqualTo(16);
        assertThat(r.getDecode().getFeasible()).isTrue();
    }

    @Test
    void shouldCompareAMappingWithFewerPointsOnItsOwnPoints() {
        // TP=2 has one decode point, TP=1 three: the pick is over all four points as they are (Dynamo's rule), and
        // TP=2's single point at 64 in flight (64 * 1000 / 18 / 2 = 1778 tok/s/GPU) beats TP=1's best (1000).
        final Recommendation r = recommend(1000, 20, Fixtures.decode(Mappings.tp(1), 1, 10),
            Fixtures.decode(Mappings.tp(1), 8, 12), Fixtures.decode(Mappings.tp(1), 16, 16),
            Fixtures.decode(Mappings.tp(2), 64, 18));
        assertThat(r.getDecodePoints()).hasSize(4);
        assertThat(r.getDecode().getPoint().getLabel()).isEqualTo("TP=2");
        assertThat(r.getDecode().getPoint().getInFlight()).isEqualTo(64);
    }

    @Test
    void shouldFallBackToLowestLatencyWhenNothingMeetsTheTarget() {
        final Recommendation r = recommend(10, 5, Fixtures.prefill(Mappings.tp(1), 3000, 100),
            Fixtures.prefill(Mappings.tp(4), 3000, 40), Fixtures.decode(Mappings.tp(1), 1, 12),
            Fixtures.decode(Mappings.tp(2), 1, 9));
        assertThat(r.getPrefill().getFeasible()).isFalse();
        assertThat(r.getPrefill().getPoint().getLabel()).isEqualTo("TP=4");
        assertThat(r.getDecode().getFeasible()).isFalse();
        assertThat(r.getDecode().getPoint().getLabel()).isEqualTo("TP=2");
        assertThat(r.getWarnings()).anyMatch(w -> w.startsWith("No engine configuration satisfies the TTFT"));
    }

    @Test
    void shouldPickDecodeOverAllMappingAndInFlightPoints() {
        // Steady state: TP1 at 32 in flight, ITL 20 -> 1600 tok/s/GPU; TP2 at 64, ITL 25 -> 1280.
        final Recommendation r = recommend(1000, 22, Fixtures.decode(Mappings.tp(1), 32, 20),
            Fixtures.decode(Mappings.tp(1), 64, 30), Fixtures.decode(Mappings.tp(2), 64, 25),
            Fixtures.decode(Mappings.tp(2), 8, 12));
        assertThat(r.getDecode().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(r.getDecode().getPoint().getInFlight()).isEqualTo(32);
        assertThat(r.getDecode().getPoint().getThptPerGpu()).isCloseTo(1600, within(TOLERANCE));
        assertThat(r.getDecode().getPoint().getThptMethod()).isEqualTo("STEADY_STATE_INFLIGHT_OVER_ITL");
    }

    @Test
    void shouldCountAttentionDataParallelRanksInDepPrefillThroughput() {
        // DEP=8 burst of 32: max TTFT 800, ITL 10 -> (800 - 10*4*3)/4 = 170 ms; thpt = 3000/170*1000*8/8.
        final List<LatencySample> burst = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            final LatencySample s = Fixtures.prefill(Mappings.dep(8), 3000, i == 0 ? 800 : 100);
            s.setItlMs(10.0);
            burst.add(s);
        }
        final Recommendation r = recommend(1000, 50, burst.toArray(new LatencySample[0]));
        assertThat(r.getPrefill().getPoint().getLatencyMs()).isCloseTo(170, within(TOLERANCE));
        assertThat(r.getPrefill().getPoint().getThptPerGpu()).isCloseTo(3000 / 170.0 * 1000, within(1e-6));
    }

    @Test
    void shouldInterpolatePrefillAlongIslWhenNoBucketIsNear() {
        final Recommendation r = recommend(1000, 50, Fixtures.prefill(Mappings.tp(1), 2000, 100),
            Fixtures.prefill(Mappings.tp(1), 4000, 300));
        assertThat(r.getPrefill().getPoint().getLatencyMs()).isCloseTo(200, within(TOLERANCE));
        assertThat(r.getPrefill().getPointSource()).isEqualTo("INTERPOLATED");
    }

    @Test
    void shouldBuildTheCostTableFromBothFronts() {
        final Recommendation r = recommend(1000, 50, Fixtures.prefill(Mappings.tp(1), 3000, 100),
            Fixtures.prefill(Mappings.tp(2), 3000, 50), Fixtures.decode(Mappings.tp(1), 10, 20),
            Fixtures.decode(Mappings.tp(1), 20, 40));
        // Both prefill points give 30000 tok/s/GPU; TP2 does it at 50 ms, so TP1 (100 ms) is off the front.
        assertThat(r.getPrefillFront()).hasSize(1);
        assertThat(r.getDecodeFront()).hasSize(1);
        assertThat(r.getCostTable()).hasSize(1);
        assertThat(r.getCostTable().get(0).getGpuHours())
            .isCloseTo(CostTable.gpuHoursPer1000(3000, 500, 30_000, 500), within(TOLERANCE));
    }

    @Test
    void shouldKeepTheIncumbentWhenTheChallengerIsWithinNoise() {
        final List<LatencySample> samples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            samples.add(Fixtures.prefill(Mappings.tp(1), 3000, 100 + (i % 2 == 0 ? 10 : -10)));
            samples.add(Fixtures.prefill(Mappings.tp(2), 3000, 50 + (i % 2 == 0 ? 5 : -5)));
        }
        final var st = stats(samples.toArray(new LatencySample[0]));
        final var sla = Fixtures.sla(1000, 50, Statistic.MEAN);
        final Recommendation first = Recommender.recommend(Fixtures.DEPLOYMENT, sla, st, Map.of(), null, 0);
        assertThat(first.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        // TP2 now 1 % faster: better throughput, but inside both 95 % intervals.
        for (final MappingLoadStats m : st) {
            if (m.getMapping().getGpus() == 2) {
                m.getTtft().setMeanMs(49.5);
            }
        }
        // Continuous profiling holds the pick against noise...
        final var hold = SlaTarget.newBuilder(sla).setHoldPicks(true).build();
        final Recommendation second = Recommender.recommend(Fixtures.DEPLOYMENT, hold, st, Map.of(), first, 0);
        assertThat(second.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(second.getPrefill().getReason()).startsWith("kept TP=1");
        // ...while a one-shot sweep takes Dynamo's rule on the data as it stands.
        final Recommendation oneShot = Recommender.recommend(Fixtures.DEPLOYMENT, sla, st, Map.of(), first, 0);
        assertThat(oneShot.getPrefill().getPoint().getLabel()).isEqualTo("TP=2");
    }

    @Test
    void shouldApplyAPinAndKeepTheAutomaticPickAlongside() {
        // Prefill TP1 30000 tok/s/GPU beats TP2 (60 ms) 25000; decode TP1 at 32 (1600) beats TP2 at 16 (571).
        final var s = stats(Fixtures.prefill(Mappings.tp(1), 3000, 100), Fixtures.prefill(Mappings.tp(2), 3000, 60),
            Fixtures.decode(Mappings.tp(1), 32, 20), Fixtures.decode(Mappings.tp(2), 8, 12),
            Fixtures.decode(Mappings.tp(2), 16, 14));
        final var sla = Fixtures.sla(200, 22, Statistic.MEAN);
        final Recommendation auto = Recommender.recommend(Fixtures.DEPLOYMENT, sla, s, Map.of(), null, 0);
        assertThat(auto.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(auto.getDecode().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(auto.getPinned()).isNull();

        final var pin = new PinnedChoice("TP=2", "TP=2", null, 5L, "web-ui");
        final Recommendation pinned = Recommender.recommend(Fixtures.DEPLOYMENT, sla, s, Map.of(), auto, pin, 0);
        assertThat(pinned.getPrefill().getPoint().getLabel()).isEqualTo("TP=2");
        assertThat(pinned.getPrefill().getReason()).startsWith("pinned by web-ui");
        // No in-flight given: the pinned mapping's best point within the ITL target (16 in flight at 14 ms).
        assertThat(pinned.getDecode().getPoint().getInFlight()).isEqualTo(16);
        assertThat(pinned.getAutomaticPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(pinned.getAutomaticDecode().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(pinned.getPinned()).isEqualTo(pin);
        assertThat(pinned.getPrefillTable().getPrefillIsl()).isNotNull();

        // A pin of one in-flight point; a pinned prefill that misses the target is used, marked infeasible.
        final var strict = Fixtures.sla(50, 22, Statistic.MEAN);
        final var pin2 = new PinnedChoice("TP=1", "TP=2", 8, 6L, "");
        final Recommendation r2 = Recommender.recommend(Fixtures.DEPLOYMENT, strict, s, Map.of(), pinned, pin2, 0);
        assertThat(r2.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(r2.getPrefill().getFeasible()).isFalse();
        assertThat(r2.getDecode().getPoint().getInFlight()).isEqualTo(8);

        // A pin naming no existing point leaves the automatic pick, with a warning; unpinning restores it.
        final var pin3 = new PinnedChoice("TP=8", null, null, 7L, "");
        final Recommendation r3 = Recommender.recommend(Fixtures.DEPLOYMENT, sla, s, Map.of(), r2, pin3, 0);
        assertThat(r3.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(r3.getPinned()).isNull();
        assertThat(r3.getWarnings()).anyMatch(w -> w.startsWith("Pinned prefill mapping TP=8 has no point"));
        final Recommendation r4 = Recommender.recommend(Fixtures.DEPLOYMENT, sla, s, Map.of(), pinned, null, 0);
        assertThat(r4.getPrefill().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(r4.getAutomaticPrefill()).isNull();
    }
}
