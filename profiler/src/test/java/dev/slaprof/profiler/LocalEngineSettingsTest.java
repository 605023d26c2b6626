package dev.slaprof.profiler;

import static dev.slaprof.profiler.LocalEngineSettings.parseDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The devices of --gpus, as --engines local reads them before it starts anything. */
class LocalEngineSettingsTest {
    @Test
    void shouldReadDeviceListsAndRefuseBadOnes() {
        assertThat(parseDevices("none")).isEmpty();
        assertThat(parseDevices(" NONE ")).isEmpty();
        assertThat(parseDevices("0-3")).containsExactly(0, 1, 2, 3);
        assertThat(parseDevices("0,2, 4")).containsExactly(0, 2, 4);
        assertThat(parseDevices("6, 0-1")).containsExactly(6, 0, 1);
        assertThatThrownBy(() -> parseDevices(null)).hasMessageContaining("--engines local needs --gpus");
        assertThatThrownBy(() -> parseDevices(" ")).hasMessageContaining("--engines local needs --gpus");
        assertThatThrownBy(() -> parseDevices("3-1")).hasMessageContaining("bad --gpus '3-1'");
        assertThatThrownBy(() -> parseDevices("0,0")).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> parseDevices("0-2,1")).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> parseDevices("a")).hasMessageContaining("bad --gpus 'a'");
        assertThatThrownBy(() -> parseDevices("-1")).hasMessageContaining("bad --gpus '-1'");
        assertThatThrownBy(() -> parseDevices("1-")).hasMessageContaining("bad --gpus '1-'");
        assertThatThrownBy(() -> parseDevices("0,,1")).hasMessageContaining("bad --gpus '0,,1'");
    }
}
