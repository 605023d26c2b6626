package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** MAPPING=VALUE options keep the mapping's own '=': the README's TP=1=FILE works, and so does TP=1:FILE. */
class MappingValueTest {
    @Test
    void shouldSplitAfterTheMappingNotAtTheFirstEquals() {
        assertThat(MappingValue.parse("--engine-log", "TP=1=decode-0.log"))
            .isEqualTo(new MappingValue("TP=1", "decode-0.log"));
        assertThat(MappingValue.parse("--engine-log", "TP=1:logs/a=b.log"))
            .isEqualTo(new MappingValue("TP=1", "logs/a=b.log"));
        assertThat(MappingValue.parse("--kv-capacity", "dep16=426915").tokens("--kv-capacity")).isEqualTo(426_915);
        assertThat(MappingValue.parse("--kv-capacity", "TEP=8:1000").mapping()).isEqualTo("TEP=8");
    }

    @Test
    void shouldNameWhatIsWrong() {
        assertThatThrownBy(() -> MappingValue.parse("--engine-log", "decode-0.log"))
            .hasMessage("--engine-log decode-0.log: expected MAPPING=VALUE or MAPPING:VALUE, e.g. TP=2=decode-0.log "
                + "or TP=2:426915");
        assertThatThrownBy(() -> MappingValue.parse("--kv-capacity", "TP=1=lots").tokens("--kv-capacity"))
            .hasMessage("--kv-capacity TP=1=lots: 'lots' is not a whole number of tokens");
        assertThatThrownBy(() -> MappingValue.parse("--kv-capacity", "TP=1=0").tokens("--kv-capacity"))
            .hasMessage("--kv-capacity TP=1=0: must be > 0 tokens");
    }
}
