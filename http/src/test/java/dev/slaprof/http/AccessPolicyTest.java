package dev.slaprof.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.http.AccessPolicy.Decision;
import dev.slaprof.http.AccessPolicy.Refusal;
import dev.slaprof.http.AccessPolicy.Request;
import dev.slaprof.http.AccessPolicy.Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy's decision, request by request, for the UI (pages) and the registry (no pages), with and without tokens. */
class AccessPolicyTest {
    private static final String ALICE = "alice-token-0123456789";
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 8377);
    private static final InetSocketAddress ANY = new InetSocketAddress("0.0.0.0", 8377);
    private static final String HOST = "127.0.0.1:8377";
    private static final String ORIGIN = "http://127.0.0.1:8377";

    @TempDir
    Path dir;

    private ApiTokens tokens() throws IOException {
        return ApiTokens.load(Files.writeString(dir.resolve("tokens"), ALICE + " alice\n"));
    }

    private static Request get(final String path, final String auth) {
        return new Request("GET", path, HOST, null, null, auth, null);
    }

    private static Request post(final String origin, final String auth, final String csrf) {
        return new Request("POST", "/api/pins", HOST, null, origin, auth, csrf);
    }

    @Test
    void shouldRefuseAForeignHostOrOriginBeforeLookingAtCredentials() throws IOException {
        final AccessPolicy p = new AccessPolicy(new Settings(tokens(), false, List.of(), false), LOOPBACK, false, true);
        final Decision host = p.decide(new Request("GET", "/api/x", "evil.example", null, null,
            "Bearer " + ALICE, null));
        assertThat(host.refusal()).isEqualTo(Refusal.HOST);
        assertThat(host.status()).isEqualTo(403);
        final Decision origin = p.decide(new Request("GET", "/api/x", HOST, null, "http://evil.example",
            "Bearer " + ALICE, null));
        assertThat(origin.refusal()).isEqualTo(Refusal.ORIGIN);
        assertThat(origin.reason()).isEqualTo("cross-origin request from http://evil.example refused");
    }

    @Test
    void shouldNameTheTokenHolderAndRefuseAWrongOrUnexpectedToken() throws IOException {
        final AccessPolicy guarded = new AccessPolicy(new Settings(tokens(), false, List.of(), false), LOOPBACK, false,
            true);
        assertThat(guarded.decide(post(null, "Bearer " + ALICE, null))).isEqualTo(Decision.allow("alice"));
        assertThat(guarded.decide(post(null, "bearer " + ALICE, null)).principal()).isEqualTo("alice");
        final Decision wrong = guarded.decide(post(null, "Bearer not-a-token-of-anyone", null));
        assertThat(wrong.refusal()).isEqualTo(Refusal.UNAUTHORIZED);
        assertThat(wrong.reason()).isEqualTo("the bearer token is not (or no longer) in tokens");
        assertThat(guarded.decide(post(null, "Basic " + ALICE, null)).status()).isEqualTo(401);
        final AccessPolicy open = new AccessPolicy(Settings.loopback(), LOOPBACK, false, true);
        assertThat(open.decide(get("/api/x", "Bearer " + ALICE)).reason())
            .isEqualTo("this server has no API tokens configured");
    }

    @Test
    void shouldAskAWriteForATokenWhenTokensAreConfiguredEvenWithAValidPageToken() throws IOException {
        final AccessPolicy p = new AccessPolicy(new Settings(tokens(), false, List.of(), false), LOOPBACK, false, true);
        final Decision d = p.decide(post(ORIGIN, null, p.issueCsrf()));
        assertThat(d.refusal()).isEqualTo(Refusal.UNAUTHORIZED);
        assertThat(d.reason()).contains("needs Authorization: Bearer");
        assertThat(p.writesNeedToken()).isTrue();
    }

    @Test
    void shouldTakeAPageWriteWithoutTokensOnlyWithItsOriginAndCsrfToken() {
        final AccessPolicy ui = new AccessPolicy(Settings.loopback(), LOOPBACK, false, true);
        final String csrf = ui.issueCsrf();
        assertThat(ui.decide(post(ORIGIN, null, csrf))).isEqualTo(Decision.allow(AccessPolicy.SAME_ORIGIN_PAGE));
        assertThat(ui.decide(post(null, null, csrf)).refusal()).isEqualTo(Refusal.CSRF);
        assertThat(ui.decide(post(ORIGIN, null, null)).refusal()).isEqualTo(Refusal.CSRF);
        assertThat(ui.decide(post(ORIGIN, null, new AccessPolicy(Settings.loopback(), LOOPBACK, false, true)
            .issueCsrf())).refusal()).isEqualTo(Refusal.CSRF);
        assertThat(ui.decide(new Request("HEAD", "/api/x", HOST, null, null, null, null)).allowed()).isTrue();
    }

    @Test
    void shouldTakeARegistryWriteFromANonBrowserClientWithoutTokens() {
        final AccessPolicy registry = new AccessPolicy(Settings.loopback(), LOOPBACK, false, false);
        assertThat(registry.decide(post(null, null, null))).isEqualTo(Decision.allow(null));
        assertThat(registry.decide(post(ORIGIN, null, null)).allowed()).isTrue();
        assertThat(registry.decide(post("http://evil.example", null, null)).refusal()).isEqualTo(Refusal.ORIGIN);
    }

    @Test
    void shouldAskReadsOffLoopbackForATokenButServeStaticFilesAndPublicReads() throws IOException {
        final ApiTokens t = tokens();
        final AccessPolicy off = new AccessPolicy(new Settings(t, false, List.of("127.0.0.1"), false), ANY, false,
            true);
        assertThat(off.readsNeedToken()).isTrue();
        assertThat(off.decide(get("/api/recommendations", null)).refusal()).isEqualTo(Refusal.UNAUTHORIZED);
        assertThat(off.decide(get("/api/recommendations", "Bearer " + ALICE)).principal()).isEqualTo("alice");
        assertThat(off.decide(get("/", null)).allowed()).isTrue();
        assertThat(off.decide(get("/ui/app.js", null)).allowed()).isTrue();
        assertThat(off.decide(get("/webjars/x.js", null)).allowed()).isTrue();
        final AccessPolicy publicRead = new AccessPolicy(new Settings(t, true, List.of("127.0.0.1"), false), ANY,
            false, true);
        assertThat(publicRead.readsNeedToken()).isFalse();
        assertThat(publicRead.decide(get("/api/recommendations", null))).isEqualTo(Decision.allow(null));
        final AccessPolicy onLoopback = new AccessPolicy(new Settings(t, false, List.of(), false), LOOPBACK, false,
            true);
        assertThat(onLoopback.decide(get("/api/recommendations", null)).allowed()).isTrue();
    }

    @Test
    void shouldRefuseAnOpenBindOffLoopbackUnlessTokensOrInsecureNoAuth() throws IOException {
        assertThat(AccessPolicy.checkBind("127.0.0.1", Settings.loopback(), "web UI")).isFalse();
        assertThatThrownBy(() -> AccessPolicy.checkBind("0.0.0.0", Settings.loopback(), "web UI"))
            .hasMessageStartingWith("refusing to serve the web UI on 0.0.0.0 (not loopback) without credentials");
        assertThat(AccessPolicy.checkBind("0.0.0.0", new Settings(tokens(), false, List.of(), false), "web UI"))
            .isFalse();
        assertThat(AccessPolicy.checkBind("0.0.0.0", new Settings(null, false, List.of(), true), "web UI")).isTrue();
    }
}
