package dev.slaprof.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-page CSRF tokens: each issued one is valid under its key only; tampered, foreign and malformed ones are not. */
class CsrfTokensTest {
    @Test
    void shouldAcceptTheTokensItIssuedEachOfThemFresh() {
        final CsrfTokens tokens = new CsrfTokens();
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            final String t = tokens.issue();
            assertThat(tokens.valid(t)).isTrue();
            assertThat(t).matches("[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}");
            seen.add(t);
        }
        assertThat(seen).hasSize(100);
    }

    @Test
    void shouldRefuseAnotherServersTokenAndATamperedOne() {
        final CsrfTokens mine = new CsrfTokens();
        final String foreign = new CsrfTokens().issue();
        assertThat(mine.valid(foreign)).isFalse();
        final String t = mine.issue();
        final int dot = t.indexOf('.');
        final byte[] nonce = Base64.getUrlDecoder().decode(t.substring(0, dot));
        nonce[0] ^= 1;
        final String otherNonce = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce) + t.substring(dot);
        assertThat(mine.valid(otherNonce)).isFalse();
        assertThat(mine.valid(t + "x")).isFalse();
    }

    @Test
    void shouldRefuseMalformedTokens() {
        final CsrfTokens tokens = new CsrfTokens();
        assertThat(tokens.valid(null)).isFalse();
        assertThat(tokens.valid("")).isFalse();
        assertThat(tokens.valid("no-dot")).isFalse();
        assertThat(tokens.valid(".onlymac")).isFalse();
        assertThat(tokens.valid("!!!.???")).isFalse();
    }
}
