package dev.slaprof.profiler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.Mappings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing candidate engines onto --gpus in waves, first-fit decreasing, worked by hand. */
class GpuWavesTest {
    private static GpuWaves.Plan plan(final List<Integer> devices, final String... mappings) {
        return GpuWaves.plan(List.of(mappings).stream().map(Mappings::parse).toList(), devices);
    }

    private static String slot(final GpuWaves.Slot s) {
        return Mappings.label(s.mapping()) + "@" + s.wave() + s.devices();
    }

    @Test
    void shouldRunTheDefaultCandidatesOnEightGpusInTwoAlignedWaves() {
        // 1 + 2 + 4 + 8 = 15 GPUs: TP=8 alone, then TP=4, TP=2 and TP=1 on 0-3, 4-5 and 6.
        final GpuWaves.Plan p = plan(List.of(0, 1, 2, 3, 4, 5, 6, 7), "TP=1", "TP=2", "TP=4", "TP=8");
        assertThat(p.waves()).isEqualTo(2);
        assertThat(p.tooLarge()).isEmpty();
        assertThat(p.slots().stream().map(GpuWavesTest::slot)).containsExactly("TP=1@1[6]", "TP=2@1[4, 5]",
            "TP=4@1[0, 1, 2, 3]", "TP=8@0[0, 1, 2, 3, 4, 5, 6, 7]");
        assertThat(GpuWaves.describe(p)).isEqualTo("wave 1: TP=8 on GPUs [0, 1, 2, 3, 4, 5, 6, 7]; wave 2: TP=1 on "
            + "GPUs [6] TP=2 on GPUs [4, 5] TP=4 on GPUs [0, 1, 2, 3]");
    }

    @Test
    void shouldStartEverythingAtOnceWhenItFits() {
        final GpuWaves.Plan p = plan(List.of(2, 3, 5), "TP=1", "TP=2");
        assertThat(p.waves()).isEqualTo(1);
        // Devices are taken in the order --gpus lists them, the larger engine first.
        assertThat(p.slots().stream().map(GpuWavesTest::slot)).containsExactly("TP=1@0[5]", "TP=2@0[2, 3]");
    }

    @Test
    void shouldFillEarlierWavesFirstAndLeaveOutWhatNeverFits() {
        // On 4 GPUs: TP=8 cannot run; TP=4 fills wave 1; TP=2, TP=2 and TP=1 need 5: TP=2 + TP=2 in wave 2, TP=1
        // opens wave 3.
        final GpuWaves.Plan p = plan(List.of(0, 1, 2, 3), "TP=1", "TP=2", "TP=4", "TP=8", "TEP=2");
        assertThat(p.tooLarge()).extracting(Mappings::label).containsExactly("TP=8");
        assertThat(p.waves()).isEqualTo(3);
        assertThat(p.slots().stream().map(GpuWavesTest::slot)).containsExactly("TP=1@2[0]", "TP=2@1[0, 1]",
            "TP=4@0[0, 1, 2, 3]", "TEP=2@1[2, 3]");
    }

    @Test
    void shouldPutEveryCpuEngineInOneWave() {
        final GpuWaves.Plan p = plan(List.of(), "TP=1", "TP=2", "TP=8");
        assertThat(p.waves()).isEqualTo(1);
        assertThat(p.tooLarge()).isEmpty();
        assertThat(p.slots()).allMatch(s -> s.wave() == 0 && s.devices().isEmpty());
    }
}
