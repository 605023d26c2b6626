package dev.slaprof.domain.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.domain.Fixtures;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Joining two generations equals computing over all their samples at once. */
class LatencyStatsMergeTest {
    private static MappingLoadStats over(final List<LatencySample> samples) {
        final LatencySample first = samples.get(0);
        final var key = Keys.bucket(first);
        final MappingLoadStats st = LatencyStats.empty(first, key.getInFlight(), key.getIsl());
        samples.forEach(s -> LatencyStats.add(st, s));
        return LatencyStats.refreshPercentiles(st);
    }

    @Test
    void shouldEqualOneAggregateOverAllSamples() {
        final Random r = new Random(3);
        final List<LatencySample> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            all.add(Fixtures.decode(Mappings.tp(2), 8, 10 + Math.abs(r.nextGaussian()) * (i < 200 ? 2 : 9)));
        }
        final MappingLoadStats whole = over(all);
        final MappingLoadStats merged = LatencyStats.merge(over(all.subList(0, 200)), over(all.subList(200, 500)));
        assertThat(merged.getOkCount()).isEqualTo(whole.getOkCount());
        assertThat(merged.getOutputTokens()).isEqualTo(whole.getOutputTokens());
        for (final var pair : List.of(List.of(merged.getItl(), whole.getItl()),
            List.of(merged.getTtft(), whole.getTtft()))) {
            assertThat(pair.get(0).getCount()).isEqualTo(pair.get(1).getCount());
            assertThat(pair.get(0).getMeanMs()).isCloseTo(pair.get(1).getMeanMs(), within(1e-9));
            assertThat(pair.get(0).getM2()).isCloseTo(pair.get(1).getM2(), within(1e-6));
            assertThat(pair.get(0).getMinMs()).isEqualTo(pair.get(1).getMinMs());
            assertThat(pair.get(0).getMaxMs()).isEqualTo(pair.get(1).getMaxMs());
            assertThat(pair.get(0).getP50Ms()).isEqualTo(pair.get(1).getP50Ms());
            assertThat(pair.get(0).getP99Ms()).isEqualTo(pair.get(1).getP99Ms());
            assertThat(pair.get(0).getHistogram()).isEqualTo(pair.get(1).getHistogram());
        }
        // An empty side changes nothing.
        final MappingLoadStats none = LatencyStats.empty(all.get(0), 8, 3000);
        assertThat(LatencyStats.merge(none, whole).getItl().getMeanMs()).isEqualTo(whole.getItl().getMeanMs());
    }
}
