package dev.slaprof.sink;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** A request's query string, and its numeric parameters checked (missing, not a number, negative: 400). */
final class QueryParams {
    private QueryParams() {
    }

    /** A parameter that must be a finite number >= 0. */
    static double number(final Map<String, String> q, final String name) {
        final String v = q.get(name);
        if (v == null) {
            throw new ApiError(400, "missing query parameter '" + name + "'");
        }
        try {
            final double d = Double.parseDouble(v);
            if (!Double.isFinite(d) || d < 0) {
                throw new ApiError(400, "parameter '" + name + "' must be a finite number >= 0, got '" + v + "'");
            }
            return d;
        } catch (final NumberFormatException e) {
            throw new ApiError(400, "parameter '" + name + "' is not a number: '" + v + "'");
        }
    }

    /** The decoded parameters of a raw query string (null: none). */
    static Map<String, String> parse(final String raw) {
        final Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (final String kv : raw.split("&")) {
            final int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
