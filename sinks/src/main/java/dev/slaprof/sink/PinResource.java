package dev.slaprof.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.http.AccessPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * {@code POST} and {@code DELETE .../pin}: a user's pin of a choice, published to the selections topic. The access
 * policy (token, or the page's same-origin proof) has been checked by the HTTP surface before this runs.
 */
final class PinResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Trailing content after the JSON value (an object then garbage) is an error, not ignored. */
    private static final ObjectReader STRICT = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final RecommendationResource recommendations;
    private final SelectionPublisher selections;

    PinResource(final RecommendationResource recommendations, final SelectionPublisher selections) {
        this.recommendations = recommendations;
        this.selections = selections;
    }

    /**
     * POST pins a choice, DELETE unpins. Only JSON bodies are taken (a cross-site form cannot send one without a
     * CORS preflight, which this server never grants), and labels must name points of the current snapshot.
     */
    ObjectNode handle(final HttpExchange ex, final RecommendationKey key) throws IOException {
        final String method = ex.getRequestMethod();
        if ("DELETE".equals(method)) {
            final var md = selections.publish(key, null);
            return JSON.createObjectNode().put("pinned", false).put("offset", md.offset());
        }
        if (!"POST".equals(method)) {
            throw new ApiError(405, "use POST to pin and DELETE to unpin");
        }
        final String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "send the pin as application/json");
        }
        final JsonNode body = body(ex);
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "the pin must be a JSON object");
        }
        final Recommendation r = recommendations.latest(key);
        final String givenPre = text(body, "prefill_label");
        final String givenDec = text(body, "decode_label");
        if (givenPre == null && givenDec == null) {
            throw new ApiError(400, "name prefill_label, decode_label or both");
        }
        // A pin of one role keeps the other role's pin.
        final PinnedChoice before = selections.current(key, r.getPinned());
        final String pre = givenPre != null ? givenPre : before == null ? null : before.getPrefillLabel();
        final String dec = givenDec != null ? givenDec : before == null ? null : before.getDecodeLabel();
        final Integer n = givenDec != null ? (body.hasNonNull("decode_in_flight")
            ? body.get("decode_in_flight").asInt() : null) : before == null ? null : before.getDecodeInFlight();
        if (givenPre != null) {
            RecommendationResource.point(r.getPrefillPoints(), givenPre, null);
        }
        if (givenDec != null) {
            RecommendationResource.point(r.getDecodePoints(), givenDec, n);
        }
        final String who = AccessPolicy.principal();
        final var pin = new PinnedChoice(pre, dec, dec == null ? null : n, System.currentTimeMillis() * 1000,
            who == null ? AccessPolicy.SAME_ORIGIN_PAGE : who);
        final var md = selections.publish(key, pin);
        return JSON.createObjectNode().put("pinned", true).put("prefill_label", pre).put("decode_label", dec)
            .put("decode_in_flight", n).put("pinned_by", pin.getPinnedBy()).put("pinned_at_us", pin.getPinnedAtUs())
            .put("offset", md.offset());
    }

    /** The documented limit of a pin's body. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    /**
     * The request's JSON value, strictly: a body over {@link #MAX_BODY_BYTES} is a 413 (from its Content-Length
     * before anything is read, else as soon as the limit is passed), and anything after the JSON value is a 400.
     */
    private static JsonNode body(final HttpExchange ex) throws IOException {
        final String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            final long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (final NumberFormatException e) {
                throw new ApiError(400, "Content-Length '" + length + "' is not a number");
            }
            if (declared > MAX_BODY_BYTES) {
                throw new ApiError(413, "the pin's body is " + declared + " bytes; the limit is " + MAX_BODY_BYTES);
            }
        }
        final byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiError(413, "the pin's body is over the limit of " + MAX_BODY_BYTES + " bytes");
        }
        try {
            return STRICT.readTree(bytes);
        } catch (final JsonProcessingException e) {
            throw new ApiError(400, "the pin is not one valid JSON value: " + e.getOriginalMessage());
        }
    }

    private static String text(final JsonNode body, final String field) {
        final var v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().length() > 64) {
            throw new ApiError(400, "'" + field + "' must be a mapping label such as TP=2");
        }
        return v.asText();
    }
}
