package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.Strategy;
import org.junit.jupiter.api.Test;

/** The worker's --endpoint ROLE:MAPPING:URL, the URL keeping its own colons. */
class EndpointTest {
    private static final Deployment D = new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "", "H200-SXM", "");

    @Test
    void shouldReadRoleMappingAndUrl() {
        final Endpoint e = Endpoint.parse("Prefill:TP=2:http://10.0.0.5:8000", D);
        assertThat(e.role()).isEqualTo(Role.PREFILL);
        assertThat(e.mapping().getStrategy()).isEqualTo(Strategy.TP);
        assertThat(e.mapping().getGpus()).isEqualTo(2);
        assertThat(e.url()).isEqualTo("http://10.0.0.5:8000");
        assertThat(e.deployment()).isEqualTo(D);
        assertThat(e.simulated()).isFalse();
    }

    @Test
    void shouldNameWhatIsWrong() {
        assertThatThrownBy(() -> Endpoint.parse("prefill:http", D))
            .hasMessage("--endpoint 'prefill:http' is not ROLE:MAPPING:URL");
        assertThatThrownBy(() -> Endpoint.parse("encode:TP=1:http://h:1", D))
            .hasMessage("unknown role 'encode' (prefill, decode, aggregated)");
    }
}
