package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.PerfParams;
import org.junit.jupiter.api.Test;

/** The commons-math fit finds known constants, keeps shares in (0, 1) and leaves fixed constants alone. */
class ParamFitTest {
    private final PerfParams start = Catalog.bundled().params();

    @Test
    void shouldRecoverKnownConstantsFromAQuadraticLoss() {
        final double[] target = {0.55, 120, 0.3, 0.7, 0.05, 3.5, 15, 25, 60, 6, 40};
        final PerfParams fitted = ParamFit.fit(start, ParamFit.allFree(), p -> {
            double sum = 0;
            final double[] v = p.fitted();
            for (int i = 0; i < v.length; i++) {
                sum += Math.pow(Math.log(v[i] / target[i]), 2);
            }
            return sum;
        }, 20_000);
        final double[] v = fitted.fitted();
        for (int i = 0; i < v.length; i++) {
            assertThat(v[i]).as(PerfParams.FITTED[i]).isCloseTo(target[i], within(target[i] * 0.02));
        }
    }

    @Test
    void shouldKeepSharesBelowOneAndFixedConstantsFixed() {
        final boolean[] free = new boolean[PerfParams.FITTED.length];
        free[0] = true;
        // The loss wants a GEMM efficiency of 3, which a share cannot be: the fit goes to the edge, not past it.
        final PerfParams fitted = ParamFit.fit(start, free, p -> Math.pow(p.gemmEfficiency() - 3, 2), 2_000);
        assertThat(fitted.gemmEfficiency()).isLessThan(1).isGreaterThan(0.99);
        for (int i = 1; i < PerfParams.FITTED.length; i++) {
            assertThat(fitted.fitted()[i]).as(PerfParams.FITTED[i]).isEqualTo(start.fitted()[i]);
        }
    }
}
