package dev.slaprof.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Recommendation;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The read resources of /api/recommendations on a recommendation built by the recommender from known samples (prefill
 * TTFT = 10 + ISL / 10 ms at TP=1, so a query at a measured ISL must give the measurement back): tables, grids and
 * queries, and the status of each bad request.
 */
class RecommendationResourceTest {
    private static final Recommendation R = OutputWriterTest.recommendation(
        new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "0.12.0", "H200-SXM", "v1"));
    private static final PlannerView V = new PlannerView(R);

    private static void assertStatus(final ThrowingCallable call, final int status, final String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldGiveBothRawTablesAsTheirAvroJson() {
        final ObjectNode t = RecommendationResource.tables(R);
        assertThat(t.get("prefill")).isEqualTo(AvroJson.toJson(R.getPrefillTable()));
        assertThat(t.get("decode")).isEqualTo(AvroJson.toJson(R.getDecodeTable()));
        assertThat(t.get("prefill").get("prefill_isl")).hasSize(R.getPrefillTable().getPrefillIsl().size());
    }

    @Test
    void shouldAnswerAPrefillQueryAtAMeasuredIslWithTheMeasurement() {
        final ObjectNode q = RecommendationResource.query(V, "prefill", Map.of("isl", "3000"));
        assertThat(q.get("isl").asDouble()).isEqualTo(3000.0);
        assertThat(q.get("ttft_ms").asDouble()).isCloseTo(10 + 3000 / 10.0, within(1e-9));
        assertThat(q.get("thpt_per_gpu").asDouble()).isPositive();
    }

    @Test
    void shouldAnswerDecodeBestAndPlannerQueriesWithTheirInputsEchoed() {
        final ObjectNode d = RecommendationResource.query(V, "decode", Map.of("in_flight", "8", "context", "3000"));
        assertThat(d.get("in_flight").asDouble()).isEqualTo(8.0);
        assertThat(d.get("itl_ms").asDouble()).isEqualTo(V.decode().interpolateItl(8, 3000));
        assertThat(d.has("extrapolated")).isTrue();
        final ObjectNode b = RecommendationResource.query(V, "best", Map.of("itl", "50", "context", "3000"));
        assertThat(b.get("itl_ms").asDouble()).isLessThanOrEqualTo(50.0);
        // Without isl, osl and itl the planner query takes the profile's SLA (ISL 3000, OSL 500, ITL 50 ms).
        final ObjectNode p = RecommendationResource.query(V, "planner", Map.of());
        assertThat(p.get("isl").asDouble()).isEqualTo(3000.0);
        assertThat(p.get("osl").asDouble()).isEqualTo(500.0);
        assertThat(p.get("itl_target_ms").asDouble()).isEqualTo(50.0);
        assertThat(p.get("prefill").get("ready").asBoolean()).isTrue();
        assertThat(p.get("decode").has("ready")).isTrue();
    }

    @Test
    void shouldRefuseBadQueriesWith400AndUnknownOnesWith404() {
        assertStatus(() -> RecommendationResource.query(V, "prefill", Map.of()), 400,
            "missing query parameter 'isl'");
        assertStatus(() -> RecommendationResource.query(V, "prefill", Map.of("isl", "-1")), 400,
            "parameter 'isl' must be a finite number >= 0, got '-1'");
        assertStatus(() -> RecommendationResource.query(V, "decode", Map.of("in_flight", "x", "context", "1")), 400,
            "parameter 'in_flight' is not a number: 'x'");
        assertStatus(() -> RecommendationResource.query(V, "prefill", Map.of("isl", "NaN")), 400,
            "parameter 'isl' must be a finite number >= 0, got 'NaN'");
        assertStatus(() -> RecommendationResource.query(V, "ttft", Map.of()), 404,
            "unknown query 'ttft' (prefill, decode, best, planner)");
        assertStatus(() -> RecommendationResource.grids(V, "cubic"), 400,
            "method must be default or dynamo, got 'cubic'");
        assertStatus(() -> RecommendationResource.point(R.getDecodePoints(), "TP=64", 8), 404,
            "no point TP=64 at 8 in flight in this recommendation");
    }

    @Test
    void shouldSampleThePrefillSplineAcrossTheMeasuredIslsAndGiveTheDecodeGrid() {
        for (final String method : new String[] {"default", "dynamo"}) {
            final ObjectNode g = RecommendationResource.grids(V, method);
            final JsonNode isl = g.get("prefill").get("isl");
            assertThat(isl).hasSize(100);
            assertThat(isl.get(0).asDouble()).isEqualTo(100.0);
            assertThat(isl.get(99).asDouble()).isEqualTo(7663.0);
            assertThat(g.get("prefill").get("ttft_ms").get(0).asDouble()).isCloseTo(10 + 100 / 10.0, within(1e-9));
            assertThat(g.get("prefill").get("ttft_ms").get(99).asDouble()).isCloseTo(10 + 7663 / 10.0, within(1e-9));
            final JsonNode dec = g.get("decode");
            final int nx = dec.get("xi_kv_usage").size();
            final int ny = dec.get("yi_context_length").size();
            assertThat(dec.get("itl_ms")).hasSize(ny);
            dec.get("itl_ms").forEach(row -> assertThat(row).hasSize(nx));
            assertThat(dec.has("condition")).isEqualTo(method.equals("dynamo"));
        }
    }
}
