package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/** calibrate's --free and --pooled: the constants each fit may move, an unknown or doubly named one refused. */
class MeasuredCalibrationTest {
    @Test
    void shouldFreeExactlyTheNamedConstants() {
        final boolean[] mask = MeasuredCalibration.mask(List.of(" gemm_efficiency", PerfParams.FITTED[1]), "--free");
        assertThat(mask).hasSize(PerfParams.FITTED.length);
        for (int i = 0; i < mask.length; i++) {
            assertThat(mask[i]).as(PerfParams.FITTED[i])
                .isEqualTo(PerfParams.FITTED[i].equals("gemm_efficiency") || i == 1);
        }
    }

    @Test
    void shouldRefuseAnUnknownNameListingTheKnownOnes() {
        assertThatThrownBy(() -> MeasuredCalibration.mask(List.of("gemm_efficiency", "warp_speed"), "--free"))
            .hasMessage("--free warp_speed: not a fitted constant; they are " + String.join(", ", PerfParams.FITTED));
    }

    @Test
    void shouldRefuseAConstantBothPooledAndPerUnit() {
        final boolean[] perUnit = MeasuredCalibration.mask(List.of("request_overhead_ms"), "--free");
        assertThat(MeasuredCalibration.pooledMask(perUnit, List.of("bandwidth_efficiency")))
            .isEqualTo(MeasuredCalibration.mask(List.of("bandwidth_efficiency"), "--pooled"));
        final boolean[] both = MeasuredCalibration.mask(List.of("request_overhead_ms", "bandwidth_efficiency"), "--free");
        assertThatThrownBy(() -> MeasuredCalibration.pooledMask(both, List.of("bandwidth_efficiency")))
            .hasMessageStartingWith("bandwidth_efficiency is in both --free and --pooled");
    }

    @Test
    void shouldTakeOnlyThePooledConstantsFromTheSharedFit() {
        final boolean[] pooled = MeasuredCalibration.mask(List.of("bandwidth_efficiency", "layer_overhead_us"),
            "--pooled");
        final MeasuredFit fit = new MeasuredFit(Catalog.bundled(), new MeasuredFit.Settings(1, 1, 1, 1,
            new boolean[pooled.length], pooled, 1), System.out);
        final PerfParams unit = Catalog.bundled().params("sglang", "hopper");
        final double[] values = unit.fitted();
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] * 0.5;
        }
        final PerfParams shared = unit.withFitted(values);
        final PerfParams merged = fit.overlay(unit, shared);
        for (int i = 0; i < values.length; i++) {
            assertThat(merged.fitted()[i]).as(PerfParams.FITTED[i])
                .isEqualTo(pooled[i] ? shared.fitted()[i] : unit.fitted()[i]);
        }
        assertThat(merged.scheduler()).isEqualTo(unit.scheduler());
        assertThat(fit.overlay(unit, null)).isSameAs(unit);
    }
}
