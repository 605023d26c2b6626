package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.simulator.PerfParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/** calibrate's --free: the names of the fitted constants the fit may move, an unknown one refused with the list. */
class MeasuredCalibrationTest {
    @Test
    void shouldFreeExactlyTheNamedConstants() {
        final boolean[] mask = MeasuredCalibration.mask(List.of(" gemm_efficiency", PerfParams.FITTED[1]));
        assertThat(mask).hasSize(PerfParams.FITTED.length);
        for (int i = 0; i < mask.length; i++) {
            assertThat(mask[i]).as(PerfParams.FITTED[i])
                .isEqualTo(PerfParams.FITTED[i].equals("gemm_efficiency") || i == 1);
        }
    }

    @Test
    void shouldRefuseAnUnknownNameListingTheKnownOnes() {
        assertThatThrownBy(() -> MeasuredCalibration.mask(List.of("gemm_efficiency", "warp_speed")))
            .hasMessage("--free warp_speed: not a fitted constant; they are " + String.join(", ", PerfParams.FITTED));
    }
}
