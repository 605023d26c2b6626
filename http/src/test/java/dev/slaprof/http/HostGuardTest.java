package dev.slaprof.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The names a server answers to: the Host header's parse (exactly a name or address with an optional numeric port),
 * the names served for a bind, an absolute-form target and the Origin.
 */
class HostGuardTest {
    @Test
    void shouldTakeANameOrAddressWithAnOptionalNumericPort() {
        assertThat(HostGuard.hostName("127.0.0.1:8377")).isEqualTo("127.0.0.1");
        assertThat(HostGuard.hostName("LocalHost")).isEqualTo("localhost");
        assertThat(HostGuard.hostName("[::1]:8377")).isEqualTo("[::1]");
        assertThat(HostGuard.hostName("slaprof.example.com:443")).isEqualTo("slaprof.example.com");
    }

    @Test
    void shouldRefuseAnythingAfterThePortOrAroundTheName() {
        assertThat(HostGuard.hostName("127.0.0.1:8377.evil.com")).isNull();
        assertThat(HostGuard.hostName("127.0.0.1:80:81")).isNull();
        assertThat(HostGuard.hostName("user@127.0.0.1")).isNull();
        assertThat(HostGuard.hostName("127.0.0.1/x")).isNull();
        assertThat(HostGuard.hostName("127.0.0.1:")).isNull();
        assertThat(HostGuard.hostName("-evil.com")).isNull();
        assertThat(HostGuard.hostName("[::1]evil")).isNull();
        assertThat(HostGuard.hostName("")).isNull();
        assertThat(HostGuard.hostName(null)).isNull();
    }

    @Test
    void shouldServeLoopbackNamesAndTheBoundAddressOnly() {
        final HostGuard g = new HostGuard(new InetSocketAddress("127.0.0.1", 8377), List.of(), false);
        assertThat(g.loopback()).isTrue();
        assertThat(g.refuseHost("127.0.0.1:8377", null)).isNull();
        assertThat(g.refuseHost("localhost", null)).isNull();
        assertThat(g.refuseHost("[::1]:8377", null)).isNull();
        assertThat(g.refuseHost("evil.example:8377", null)).startsWith("Host 'evil.example:8377' is not served here")
            .contains("--allowed-host");
        assertThat(g.refuseHost(null, null)).startsWith("Host 'null'");
    }

    @Test
    void shouldAddAllowedHostsAndAcceptAnyWithAStar() {
        final HostGuard named = new HostGuard(new InetSocketAddress("0.0.0.0", 8377), List.of(" Slaprof.Example "),
            true);
        assertThat(named.loopback()).isFalse();
        assertThat(named.hosts()).contains("slaprof.example").doesNotContain("0.0.0.0");
        assertThat(named.refuseHost("slaprof.example:443", null)).isNull();
        assertThat(named.refuseHost("other.example", null)).isNotNull();
        final HostGuard any = new HostGuard(new InetSocketAddress("0.0.0.0", 8377), List.of("*"), false);
        assertThat(any.refuseHost("other.example", null)).isNull();
    }

    @Test
    void shouldRefuseAnAbsoluteTargetNamingAnotherHost() {
        final HostGuard g = new HostGuard(new InetSocketAddress("127.0.0.1", 8377), List.of(), false);
        assertThat(g.refuseHost("127.0.0.1:8377", "127.0.0.1:8377")).isNull();
        assertThat(g.refuseHost("127.0.0.1:8377", "evil.example")).contains("does not match the Host header");
    }

    @Test
    void shouldTakeOnlyItsOwnOriginWithItsScheme() {
        final HostGuard plain = new HostGuard(new InetSocketAddress("127.0.0.1", 8377), List.of(), false);
        assertThat(plain.sameOrigin(null, "127.0.0.1:8377")).isTrue();
        assertThat(plain.sameOrigin("http://127.0.0.1:8377", "127.0.0.1:8377")).isTrue();
        assertThat(plain.sameOrigin("HTTP://127.0.0.1:8377", "127.0.0.1:8377")).isTrue();
        assertThat(plain.sameOrigin("https://127.0.0.1:8377", "127.0.0.1:8377")).isFalse();
        assertThat(plain.sameOrigin("http://evil.example", "127.0.0.1:8377")).isFalse();
        final HostGuard tls = new HostGuard(new InetSocketAddress("127.0.0.1", 8377), List.of(), true);
        assertThat(tls.sameOrigin("https://localhost:8377", "localhost:8377")).isTrue();
        assertThat(tls.sameOrigin("http://localhost:8377", "localhost:8377")).isFalse();
    }
}
