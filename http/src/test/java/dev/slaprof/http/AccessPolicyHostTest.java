package dev.slaprof.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Host header's parse: exactly a name or address with an optional numeric port, anything else refused. */
class AccessPolicyHostTest {
    @Test
    void shouldTakeANameOrAddressWithAnOptionalNumericPort() {
        assertThat(AccessPolicy.hostName("127.0.0.1:8377")).isEqualTo("127.0.0.1");
        assertThat(AccessPolicy.hostName("LocalHost")).isEqualTo("localhost");
        assertThat(AccessPolicy.hostName("[::1]:8377")).isEqualTo("[::1]");
        assertThat(AccessPolicy.hostName("slaprof.example.com:443")).isEqualTo("slaprof.example.com");
    }

    @Test
    void shouldRefuseAnythingAfterThePortOrAroundTheName() {
        assertThat(AccessPolicy.hostName("127.0.0.1:8377.evil.com")).isNull();
        assertThat(AccessPolicy.hostName("127.0.0.1:80:81")).isNull();
        assertThat(AccessPolicy.hostName("user@127.0.0.1")).isNull();
        assertThat(AccessPolicy.hostName("127.0.0.1/x")).isNull();
        assertThat(AccessPolicy.hostName("127.0.0.1:")).isNull();
        assertThat(AccessPolicy.hostName("-evil.com")).isNull();
        assertThat(AccessPolicy.hostName("[::1]evil")).isNull();
        assertThat(AccessPolicy.hostName("")).isNull();
        assertThat(AccessPolicy.hostName(null)).isNull();
    }
}
