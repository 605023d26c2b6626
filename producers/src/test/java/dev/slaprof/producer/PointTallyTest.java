package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Failed requests are counted per point with the first failure's message, never lost in a sample count. */
class PointTallyTest {
    private static Measurement ok() {
        return new Measurement(true, false, 200, null, null, 10.0, 1.0, 20.0, 100, 10, 0, 0);
    }

    private static Measurement rejected(final String why) {
        return new Measurement(false, false, 400, "BadRequestError", why, null, null, 5.0, 0, 0, 0, 0);
    }

    @Test
    void shouldCountEachPointsOutcomesAndKeepTheFirstError() {
        final PointTally t = new PointTally();
        t.add("decode TP=1 ISL 1000 x 4 in flight", rejected("maximum context length is 4096 tokens"));
        t.add("decode TP=1 ISL 1000 x 4 in flight", rejected("second"));
        t.add("prefill TP=1 ISL 1000", ok());
        final PointTally.Outcome d = t.point("decode TP=1 ISL 1000 x 4 in flight");
        assertThat(d.failed()).isEqualTo(2);
        assertThat(d.failedShare()).isEqualTo(1.0);
        assertThat(d).hasToString("0 ok, 2 failed (first: HTTP 400 BadRequestError: maximum context length is 4096 "
            + "tokens)");
        assertThat(t.total().ok()).isEqualTo(1);
        assertThat(t.total().failed()).isEqualTo(2);
        assertThat(t.point("nowhere")).isEqualTo(new PointTally.Outcome(0, 0, null));
    }
}
