package dev.slaprof.domain.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.domain.Fixtures;
import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.LatencySamples;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SourceKind;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.Sweep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sweep point is its own bucket (issue 18, rule 2): samples of different sweep points never merge, the picks come
 * from the SLA sweep only, and the planner tables hold exactly the interpolation sweep's points.
 */
class SweepPointParityTest {
    private static LatencySample sample(final Role role, final int gpus, final int inFlight, final int isl,
                                        final int osl, final double ttft, final Double itl, final Sweep sweep) {
        final LatencySample s = LatencySamples.ok(Fixtures.DEPLOYMENT, role, Mappings.tp(gpus),
            LatencySamples.source(SourceKind.BENCHMARK, "w", null), inFlight, isl, osl, Fixtures.T0_US, ttft, itl);
        s.getLoad().setSweep(sweep);
        return s;
    }

    private static List<MappingLoadStats> buckets(final List<LatencySample> samples) {
        final Map<String, MappingLoadStats> out = new HashMap<>();
        for (final LatencySample s : samples) {
            final var key = Keys.bucket(s);
            LatencyStats.add(out.computeIfAbsent(Keys.bucketId(key),
                k -> LatencyStats.empty(s, key.getInFlight(), key.getIsl())), s);
        }
        return new ArrayList<>(out.values());
    }

    private static Recommendation recommend(final List<LatencySample> samples) {
        return Recommender.recommend(Fixtures.DEPLOYMENT, Fixtures.sla(1000, 20, Statistic.MEAN), buckets(samples),
            Map.of("TP=1", 1_000_000L, "TP=2", 1_000_000L), null, 0);
    }

    @Test
    void shouldKeepDecodePointsOfDifferentOslApart() {
        // One in-flight count, one ISL, two OSLs: two buckets with two ITLs, not one averaged bucket.
        final List<MappingLoadStats> b = buckets(List.of(
            sample(Role.DECODE, 1, 8, 3000, 500, 30, 10.0, Sweep.SLA),
            sample(Role.DECODE, 1, 8, 3000, 150, 30, 14.0, Sweep.SLA)));
        assertThat(b).hasSize(2);
        assertThat(b).extracting(MappingLoadStats::getOsl).containsExactlyInAnyOrder(500, 150);
        assertThat(b).extracting(s -> s.getItl().getMeanMs()).containsExactlyInAnyOrder(10.0, 14.0);
    }

    @Test
    void shouldPickFromTheSlaSweepOnlyWhenAnInterpolationIslSitsNearTheProfileIsl() {
        // The SLA sweep: TP1 decodes at 8 in flight with ITL 18 ms (feasible under 20 ms), TP2 at 8 with 25 ms.
        // The interpolation sweep on TP2 measured ISL 2900 (within 10 % of 3000) at 64 in flight with ITL 12 ms:
        // that point was never a candidate of Dynamo's pick, and must not become TP2's winning decode point.
        final List<LatencySample> all = new ArrayList<>(List.of(
            sample(Role.DECODE, 1, 8, 3000, 500, 30, 18.0, Sweep.SLA),
            sample(Role.DECODE, 2, 8, 3000, 500, 30, 25.0, Sweep.SLA)));
        final String without = recommend(all).getDecode().getPoint().getLabel();
        all.add(sample(Role.DECODE, 2, 64, 2900, 500, 30, 12.0, Sweep.INTERPOLATION));
        final Recommendation with = recommend(all);
        assertThat(without).isEqualTo("TP=1");
        assertThat(with.getDecode().getPoint().getLabel()).isEqualTo("TP=1");
        assertThat(with.getDecodePoints()).hasSize(2);
    }

    @Test
    void shouldLeaveTheSlaPointOutOfThePrefillTableOnceTheInterpolationSweepHasRun() {
        final List<LatencySample> all = new ArrayList<>();
        all.add(sample(Role.PREFILL, 1, 1, 3000, 5, 300, 2.0, Sweep.SLA));
        final Recommendation before = recommend(all);
        // Before the interpolation sweep the table is what there is (one SLA point: incomplete, with its reason).
        assertThat(before.getPrefillTable().getPrefillIsl()).containsExactly(3000L);
        for (final int isl : new int[] {100, 2100, 4100, 6100, 8100}) {
            all.add(sample(Role.PREFILL, 1, 1, isl, 5, 10 + isl / 10.0, 2.0, Sweep.INTERPOLATION));
        }
        final Recommendation after = recommend(all);
        assertThat(after.getPrefillTable().getPrefillIsl()).containsExactly(100L, 2100L, 4100L, 6100L, 8100L);
        // The pick still stands on the SLA point at ISL 3000.
        assertThat(after.getPrefill().getPoint().getIsl()).isEqualTo(3000);
        assertThat(after.getPrefill().getPoint().getLatencyMs()).isEqualTo(300.0);
    }

    @Test
    void shouldBuildTheDecodeTableFromTheInterpolationSweepAtItsRequestedOsl() {
        final List<LatencySample> all = new ArrayList<>();
        all.add(sample(Role.DECODE, 1, 8, 3000, 150, 30, 18.0, Sweep.SLA));
        for (final int isl : new int[] {100, 4000}) {
            for (final int n : new int[] {1, 16}) {
                // 480 tokens came back of the 500 requested (an early EOS): the table still says isl + 500/2.
                final LatencySample s = sample(Role.DECODE, 1, n, isl, 500, 30, 10.0 + n, Sweep.INTERPOLATION);
                s.setOutputTokens(480);
                all.add(s);
            }
        }
        final Recommendation r = recommend(all);
        assertThat(r.getDecodeTable().getYContextLength()).containsExactly(350.0, 350.0, 4250.0, 4250.0);
        assertThat(r.getDecodeTable().getXKvUsage()).containsExactly(350.0 / 1e6, 350.0 * 16 / 1e6, 4250.0 / 1e6,
            4250.0 * 16 / 1e6);
        assertThat(r.getDecodeTable().getZItl()).containsExactly(11.0, 26.0, 11.0, 26.0);
    }
}
