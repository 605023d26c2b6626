package dev.slaprof.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The ageing horizon's spellings, and the ones refused. */
class AgeingHorizonTest {
    @Test
    void shouldReadNoneShortFormsAndIso8601() {
        assertThat(AgeingHorizon.parse("none")).isNull();
        assertThat(AgeingHorizon.parse(" ")).isNull();
        assertThat(AgeingHorizon.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(AgeingHorizon.parse("30 M")).isEqualTo(Duration.ofMinutes(30));
        assertThat(AgeingHorizon.parse("6h")).isEqualTo(Duration.ofHours(6));
        assertThat(AgeingHorizon.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(AgeingHorizon.parse("pt6h")).isEqualTo(Duration.ofHours(6));
        assertThat(AgeingHorizon.parse("2s")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldRefuseOtherSpellingsAndHorizonsUnderTwoSeconds() {
        assertThatThrownBy(() -> AgeingHorizon.parse("6 hours")).hasMessage("'6 hours' is not a horizon: use none, "
            + "90s, 30m, 6h, 7d or PT6H");
        assertThatThrownBy(() -> AgeingHorizon.parse("1s")).hasMessage("the horizon must be at least 2 s, got '1s'");
        assertThatThrownBy(() -> AgeingHorizon.parse("PT0.5S")).hasMessageContaining("at least 2 s");
    }
}
