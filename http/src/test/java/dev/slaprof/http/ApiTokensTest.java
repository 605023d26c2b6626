package dev.slaprof.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokensTest {
    private static final String A = "0123456789abcdef-a";
    private static final String B = "0123456789abcdef-b";

    @TempDir
    Path dir;

    @Test
    void shouldNameTheHolderAndFollowTheFileAsItChanges() throws Exception {
        final Path f = Files.writeString(dir.resolve("tokens"), "# comment\n\n" + A + "   alice smith\n");
        final ApiTokens t = ApiTokens.load(f);
        assertThat(t.holder(A)).hasValue("alice smith");
        assertThat(t.holder(B)).isEmpty();
        Files.writeString(f, B + " bob\n");
        assertThat(t.holder(A)).isEmpty();
        assertThat(t.holder(B)).hasValue("bob");
        // A bad edit keeps the tokens in force and is counted, never half-applied.
        Files.writeString(f, B + " bob\nshort x\n");
        assertThat(t.holder(B)).hasValue("bob");
        assertThat(t.reloadCounts()).containsExactly(1L, 1L);
        // A file that disappears refuses every token.
        Files.delete(f);
        assertThat(t.holder(B)).isEmpty();
    }

    /** A file that is not UTF-8 fails closed: every token is refused until it is fixed, then they work again. */
    @Test
    void shouldRefuseEveryTokenWhileTheFileIsNotUtf8() throws Exception {
        final Path f = Files.writeString(dir.resolve("tokens"), B + " bob\n");
        final ApiTokens t = ApiTokens.load(f);
        assertThat(t.holder(B)).hasValue("bob");
        Files.write(f, (B + " bob\n" + A + " caf\u00e9\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(t.holder(B)).isEmpty();
        assertThat(t.holder(A)).isEmpty();
        Files.writeString(f, B + " bob\n");
        assertThat(t.holder(B)).hasValue("bob");
    }

    @Test
    void shouldRefuseABadFileAtStartNamingTheLine() throws Exception {
        assertThatThrownBy(() -> ApiTokens.load(Files.writeString(dir.resolve("a"), A + " alice\n" + B + "\n")))
            .hasMessageContaining("line 2").hasMessageContaining("TOKEN NAME");
        assertThatThrownBy(() -> ApiTokens.load(Files.writeString(dir.resolve("b"), "abc carol\n")))
            .hasMessageContaining("line 1").hasMessageContaining("shorter than 16").hasMessageNotContaining("abc ");
        assertThatThrownBy(() -> ApiTokens.load(dir.resolve("missing"))).hasMessageContaining("cannot read");
    }
}
