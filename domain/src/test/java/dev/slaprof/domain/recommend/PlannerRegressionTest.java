package dev.slaprof.domain.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.schema.avro.DecodeTable;
import dev.slaprof.schema.avro.PrefillTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner's reading of a profile, on the example of the interop spec (section 4.3), checked by hand there. */
class PlannerRegressionTest {
    @Test
    void shouldFitThePrefillExampleAndGiveItsCapacity() {
        final PrefillTable t = new PrefillTable(List.of(1000L, 2000L, 3000L, 4000L, 5000L),
            List.of(60.0, 110.0, 160.0, 210.0, 260.0), List.of(1.0, 1.0, 1.0, 1.0, 1.0), List.of(1L, 1L, 1L, 1L, 1L),
            true, "");
        final PlannerRegression.Prefill fit = PlannerRegression.prefill(t);
        assertThat(fit.ready()).isTrue();
        assertThat(fit.a()).isCloseTo(0.01, within(1e-12));
        assertThat(fit.b()).isCloseTo(5e-5, within(1e-15));
        final PlannerRegression.PrefillCapacity c = PlannerRegression.prefillCapacity(fit, 3000);
        assertThat(c.ttftMs()).isCloseTo(160.0, within(1e-9));
        assertThat(c.requestsPerS()).isCloseTo(6.25, within(1e-9));
        // 20 req/s of demand then needs ceil(20 / 6.25) = 4 prefill replicas.
        assertThat((int) Math.ceil(20 / c.requestsPerS())).isEqualTo(4);
    }

    @Test
    void shouldFitTheDecodeExampleAndFindTheBestBatch() {
        final DecodeTable t = new DecodeTable(List.of(0.1, 0.5, 0.2, 0.6, 0.4, 0.8),
            List.of(1000.0, 1000.0, 2000.0, 2000.0, 4000.0, 4000.0), List.of(10.0, 18.0, 11.0, 17.0, 13.0, 18.0),
            List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0), List.of(1L, 1L, 1L, 1L, 1L, 1L), 100_000L, true, "");
        final PlannerRegression.Decode fit = PlannerRegression.decode(t);
        assertThat(fit.ready()).isTrue();
        assertThat(fit.a()).isCloseTo(0.008, within(1e-9));
        assertThat(fit.b1()).isCloseTo(1e-4, within(1e-10));
        assertThat(fit.b2()).isCloseTo(1e-7, within(1e-12));
        final PlannerRegression.DecodeCapacity withEngine = PlannerRegression.decodeCapacity(fit, 3000, 500, 25,
            100_000L);
        assertThat(withEngine.maxBatch()).isEqualTo(30);
        assertThat(withEngine.batch()).isEqualTo(30);
        assertThat(withEngine.itlMs()).isCloseTo(20.75, within(1e-6));
        assertThat(withEngine.requestsPerS()).isCloseTo(2.892, within(5e-4));
        final PlannerRegression.DecodeCapacity observed = PlannerRegression.decodeCapacity(fit, 3000, 500, 25, 0);
        assertThat(observed.maxBatch()).isEqualTo(24);
        assertThat(observed.batch()).isEqualTo(24);
        assertThat(observed.requestsPerS()).isCloseTo(2.637, within(5e-4));
    }

    @Test
    void shouldRefuseFitsThePlannerRejects() {
        final PrefillTable few = new PrefillTable(List.of(1000L, 2000L), List.of(60.0, 110.0), List.of(1.0, 1.0),
            List.of(1L, 1L), false, "");
        assertThat(PlannerRegression.prefill(few).ready()).isFalse();
        final PrefillTable falling = new PrefillTable(List.of(1000L, 2000L, 3000L, 4000L, 5000L),
            List.of(260.0, 210.0, 160.0, 110.0, 60.0), List.of(1.0, 1.0, 1.0, 1.0, 1.0), List.of(1L, 1L, 1L, 1L, 1L),
            true, "");
        assertThat(PlannerRegression.prefill(falling).reason()).contains("negative slope");
    }
}
