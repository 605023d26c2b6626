package dev.slaprof.domain.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.ModeRow;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.PickingMode;
import dev.slaprof.schema.avro.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of the Dynamo 1.x picking modes (interop spec section 2.7), recomputed by hand there: ISL 3000,
 * OSL 500; prefill TP1 170 ms, TP2 90, TP4 60; decode TP1 at 8 (ITL 20, 380 tok/s/GPU), 32 (24.9, 1200), 64 (25.0,
 * 2000), TP2 at 64 (22.0, 1100).
 */
class PickingModesTest {
    private static PerfPoint prefill(final Mapping m, final double ttft) {
        return new PerfPoint(Role.PREFILL, m, Mappings.label(m), 1, 3000, ttft, 3000 / ttft * 1000 / m.getGpus(), 1L,
            ttft, ttft, "PREFILL_ISL_OVER_TTFT");
    }

    private static PerfPoint decode(final Mapping m, final int c, final double itl, final double thpt) {
        return new PerfPoint(Role.DECODE, m, Mappings.label(m), c, 3000, itl, thpt, 1L, itl, itl,
            "RUN_OUTPUT_OVER_DURATION");
    }

    private static final List<PerfPoint> PREFILL = List.of(prefill(Mappings.tp(1), 170), prefill(Mappings.tp(2), 90),
        prefill(Mappings.tp(4), 60));
    private static final List<PerfPoint> DECODE = List.of(decode(Mappings.tp(1), 8, 20, 380),
        decode(Mappings.tp(1), 32, 24.9, 1200), decode(Mappings.tp(1), 64, 25.0, 2000),
        decode(Mappings.tp(2), 64, 22.0, 1100));

    private static PickingModes.Targets targets(final double ttft, final double itl, final double rate,
                                                final int total) {
        return new PickingModes.Targets(ttft, itl, 0, "", 500, rate, 0, total);
    }

    @Test
    void shouldPickTheAutoscaleExample() {
        final ModePick p = PickingModes.pick(PickingMode.AUTOSCALE, targets(300, 25, 0, 0), PREFILL, DECODE);
        assertThat(p.getFeasible()).isTrue();
        assertThat(p.getRows()).extracting(r -> r.getPrefillLabel() + "+" + r.getDecodeLabel() + "@"
            + r.getDecodeInFlight()).containsExactly("TP=2+TP=2@64", "TP=2+TP=1@32", "TP=4+TP=2@64", "TP=4+TP=1@32");
        assertThat(p.getRows()).extracting(ModeRow::getClusterTokensPerSPerGpu)
            .containsExactly(506.0, 368.0, 337.333, 220.8);
        final ModeRow best = p.getRows().get(0);
        assertThat(best.getPrefillReplicas()).isEqualTo(1);
        assertThat(best.getDecodeReplicas()).isEqualTo(1);
        assertThat(best.getTtftMs()).isEqualTo(162.0);
        assertThat(best.getTotalGpus()).isEqualTo(4);
    }

    @Test
    void shouldPickTheDefaultExample() {
        final ModePick p = PickingModes.pick(PickingMode.DEFAULT, targets(300, 25, 0, 8), PREFILL, DECODE);
        assertThat(p.getFeasible()).isTrue();
        final ModeRow best = p.getRows().get(0);
        // TP1 + TP1 at 64 in flight (ITL exactly 25.0 passes the inclusive bound): 920 tok/s/GPU, 4 units of 2 GPUs.
        assertThat(best.getPrefillLabel() + "+" + best.getDecodeLabel() + "@" + best.getDecodeInFlight())
            .isEqualTo("TP=1+TP=1@64");
        assertThat(best.getClusterTokensPerSPerGpu()).isCloseTo(920.0, within(1e-9));
        assertThat(best.getPrefillReplicas()).isEqualTo(4);
        assertThat(best.getDecodeReplicas()).isEqualTo(4);
        assertThat(best.getTotalGpus()).isEqualTo(8);
        // The best TP2-decode row is TP1 + TP2: 674.667 tok/s/GPU, tiled 2 x 3 of 8 GPUs = 506.
        assertThat(p.getRows().get(1).getDecodeLabel()).isEqualTo("TP=2");
        assertThat(p.getRows().get(1).getPrefillLabel()).isEqualTo("TP=1");
        assertThat(p.getRows().get(1).getClusterTokensPerSPerGpu()).isCloseTo(506.0, within(1e-9));
        assertThat(p.getRows()).hasSize(2);
    }

    @Test
    void shouldPickTheLoadMatchExampleAndCapItToTheBudget() {
        final ModePick p = PickingModes.pick(PickingMode.LOAD_MATCH, targets(300, 25, 10, 16), PREFILL, DECODE);
        final ModeRow best = p.getRows().get(0);
        assertThat(best.getPrefillLabel() + "+" + best.getDecodeLabel() + "@" + best.getDecodeInFlight())
            .isEqualTo("TP=1+TP=1@64");
        assertThat(best.getPrefillReplicas()).isEqualTo(3);
        assertThat(best.getTotalGpus()).isEqualTo(6);
        assertThat(p.getRows().get(1).getTotalGpus()).isEqualTo(9);
        assertThat(p.getLoadServedPct()).isNull();
        assertThat(p.getFeasible()).isTrue();

        final ModePick capped = PickingModes.pick(PickingMode.LOAD_MATCH, targets(300, 25, 10, 4), PREFILL, DECODE);
        final ModeRow c = capped.getRows().get(0);
        assertThat(c.getPrefillLabel() + "+" + c.getDecodeLabel() + "@" + c.getDecodeInFlight())
            .isEqualTo("TP=1+TP=1@64");
        assertThat(c.getPrefillReplicas()).isEqualTo(2);
        assertThat(c.getTotalGpus()).isEqualTo(4);
        assertThat(capped.getLoadServedPct()).isEqualTo(66.7);
        assertThat(c.getClusterTokensPerSPerGpu()).isCloseTo(920.0, within(1e-9));
        assertThat(capped.getReason()).contains("66.7 %");
    }

    @Test
    void shouldNeverCapToAUnitWiderThanTheBudget() {
        // Only TP=1 decode at 8 in flight (20 ms) meets a 21 ms ITL: a unit takes 2 to 5 GPUs. A budget of 1 holds none.
        final ModePick none = PickingModes.pick(PickingMode.LOAD_MATCH, targets(300, 21, 10, 1), PREFILL, DECODE);
        assertThat(none.getFeasible()).isFalse();
        assertThat(none.getLoadServedPct()).isEqualTo(0.0);
        assertThat(none.getReason()).isEqualTo("load-match: no prefill + decode pair meeting the target fits the "
            + "budget of 1 GPUs (the smallest takes 2)");
        // A load no 4-GPU unit serves is capped to units that fit the budget, never to a wider one (TP=4 + TP=2).
        final ModePick capped = PickingModes.pick(PickingMode.LOAD_MATCH, targets(300, 25, 100, 4), PREFILL, DECODE);
        assertThat(capped.getRows()).isNotEmpty()
            .allSatisfy(r -> assertThat(r.getTotalGpus()).isLessThanOrEqualTo(4));
        assertThat(capped.getLoadServedPct()).isLessThan(100.0);
    }

    @Test
    void shouldFallBackToTheClosestConfigurationNamingTheGap() {
        final ModePick p = PickingModes.pick(PickingMode.DEFAULT, targets(300, 10, 0, 8), PREFILL, DECODE);
        assertThat(p.getFeasible()).isFalse();
        // Dynamo's fallback keeps each decode mapping's best-throughput row (TP1@64 at 25 ms, TP2@64 at 22 ms) and
        // takes the one closest to the target: not the lowest ITL overall (TP1@8, 20 ms).
        final ModeRow best = p.getRows().get(0);
        assertThat(best.getDecodeLabel() + "@" + best.getDecodeInFlight()).isEqualTo("TP=2@64");
        assertThat(p.getReason()).contains("no configuration meets tpot <= 10.0 ms", "22.000 ms (12.000 ms over)");
        final ModePick a = PickingModes.pick(PickingMode.AUTOSCALE, targets(50, 10, 0, 0), PREFILL, DECODE);
        assertThat(a.getFeasible()).isFalse();
        assertThat(a.getReason()).contains("lowest corrected TTFT is 108.000 ms", "lowest ITL is 20.000 ms");
    }

    @Test
    void shouldJudgeTheRequestLatencyWithAnE2eTarget() {
        // Request latency = TTFT + ITL x 499: TP1+TP1@8 is 170 + 20 x 499 = 10150 ms; TP2+TP1@8 is 90 + 9980 = 10070.
        final PickingModes.Targets e2e = new PickingModes.Targets(0, 0, 10_100, "", 500, 0, 0, 8);
        final ModePick p = PickingModes.pick(PickingMode.DEFAULT, e2e, PREFILL, DECODE);
        assertThat(p.getConstraint()).isEqualTo("e2e_latency");
        assertThat(p.getFeasible()).isTrue();
        assertThat(p.getRows()).allMatch(r -> r.getRequestLatencyMs() <= 10_100);
        assertThat(p.getRows().get(0).getRequestLatencyMs()).isCloseTo(10_070.0, within(1e-9));
    }

    @Test
    void shouldBalanceACostRowsComposition() {
        // TP2 prefill: 1000 / 90 x 0.9 = 10 req/s; TP1 decode at 32: 1200 / 500 x 0.92 = 2.208 req/s. Five decode
        // workers (11.04 req/s) balance one prefill worker best within 8 of each.
        assertThat(PickingModes.balancedComposition(PREFILL.get(1), DECODE.get(1), 500)).containsExactly(1, 5);
        // TP1 prefill (5.294) and TP2 decode at 64 (4.048): 3P4D (15.88 against 16.19).
        assertThat(PickingModes.balancedComposition(PREFILL.get(0), DECODE.get(3), 500)).containsExactly(3, 4);
    }
}
