package dev.slaprof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NelderMeadTest {
    @Test
    void shouldFindTheRosenbrockMinimum() {
        final double[] x = NelderMead.minimize(p -> 100 * Math.pow(p[1] - p[0] * p[0], 2) + Math.pow(1 - p[0], 2),
            new double[] {-1.2, 1.0}, 0.5, 5000, 1e-16);
        assertThat(x[0]).isCloseTo(1.0, within(1e-4));
        assertThat(x[1]).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void shouldRecoverTheParametersOfAnExactFitInEightDimensions() {
        final double[] truth = {0.3, -0.2, 1.5, 0.05, -0.7, 0.9, 0.4, -1.1};
        final double[] x = NelderMead.minimize(p -> {
            double sum = 0;
            for (int i = 0; i < p.length; i++) {
                sum += (i + 1) * Math.pow(p[i] - truth[i], 2);
            }
            return sum;
        }, new double[8], 0.3, 20_000, 1e-18);
        for (int i = 0; i < truth.length; i++) {
            assertThat(x[i]).as("x%d", i).isCloseTo(truth[i], within(1e-4));
        }
    }
}
