package dev.slaprof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The devices of --gpus, as --engines local reads them before it starts anything. */
class LocalEngineOptionsTest {
    private static LocalEngineOptions gpus(final String value) {
        final LocalEngineOptions o = new LocalEngineOptions();
        o.gpus = value;
        return o;
    }

    @Test
    void shouldReadDeviceListsAndRefuseBadOnes() {
        assertThat(gpus("none").devices()).isEmpty();
        assertThat(gpus("0-3").devices()).containsExactly(0, 1, 2, 3);
        assertThat(gpus("0,2, 4").devices()).containsExactly(0, 2, 4);
        assertThatThrownBy(() -> gpus(null).devices()).hasMessageContaining("--engines local needs --gpus");
        assertThatThrownBy(() -> gpus("3-1").devices()).hasMessageContaining("bad --gpus '3-1'");
        assertThatThrownBy(() -> gpus("0,0").devices()).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> gpus("a").devices()).hasMessageContaining("bad --gpus 'a'");
    }
}
