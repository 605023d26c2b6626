package dev.slaprof.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The REST API's query strings: decoded, and each numeric parameter a finite number >= 0 or a 400 naming it. */
class QueryParamsTest {
    @Test
    void shouldDecodeTheQueryAndSkipWhatIsNotAPair() {
        assertThat(QueryParams.parse(null)).isEmpty();
        assertThat(QueryParams.parse("prefill=TP%3D2&decode=TEP%3D8&n=12&flag&=x"))
            .containsExactlyInAnyOrderEntriesOf(Map.of("prefill", "TP=2", "decode", "TEP=8", "n", "12"));
        assertThat(QueryParams.parse("a=b%20c&a=d")).containsEntry("a", "d");
    }

    @Test
    void shouldTakeOnlyFiniteNonNegativeNumbers() {
        final Map<String, String> q = QueryParams.parse("ttft=120.5&itl=-1&isl=NaN&osl=x&zero=0");
        assertThat(QueryParams.number(q, "ttft")).isEqualTo(120.5);
        assertThat(QueryParams.number(q, "zero")).isZero();
        for (final String[] bad : new String[][] {{"itl", "finite number >= 0, got '-1'"},
            {"isl", "finite number >= 0, got 'NaN'"}, {"osl", "is not a number: 'x'"},
            {"missing", "missing query parameter 'missing'"}}) {
            assertThatThrownBy(() -> QueryParams.number(q, bad[0])).isInstanceOf(ApiError.class)
                .hasMessageContaining(bad[1]).satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(400));
        }
    }
}
