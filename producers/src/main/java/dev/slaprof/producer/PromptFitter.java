package dev.slaprof.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Prompts of an exact length in the served model's own tokens. A prompt is the first n words of a stream drawn from
 * {@code new Random(id)} (distinct ids share no prefix beyond the chat template), plus short filler pieces; n and the
 * filler are found by asking the engine's {@code /tokenize} endpoint (vLLM, SGLang) for the token count of the chat
 * request, template included, so {@code usage.prompt_tokens} equals the requested ISL. An engine without
 * {@code /tokenize} (404 or 405) gets ISL words and one warning: its counts are then checked against the response's
 * usage instead.
 */
public final class PromptFitter {
    /** A prompt and its token count as the engine counts it, or -1 when the engine could not count it. */
    public record Prompt(String text, int tokens) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_STEPS = 24;
    private static final String FILLER = " z";

    private final HttpClient http;
    private final Consumer<String> warn;
    private final Map<String, Boolean> supported = new ConcurrentHashMap<>();
    /** Per engine: the chat template's tokens (the count of an empty message) and tokens per word. */
    private final Map<String, double[]> shape = new ConcurrentHashMap<>();
    /** Engines whose /tokenize did not answer, warned about once. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    public PromptFitter(final HttpClient http, final Consumer<String> warn) {
        this.http = http;
        this.warn = warn;
    }

    /** The words prompt of an id: {@code words} whitespace-separated words drawn from {@code new Random(id)}. */
    public static String words(final long id, final int words) {
        final Random r = new Random(id);
        final StringBuilder sb = new StringBuilder(words * 6);
        for (int w = 0; w < words; w++) {
            sb.append('w').append(Integer.toString(r.nextInt(1 << 20), 36)).append(' ');
        }
        return sb.toString();
    }

    /** The prompt of {@code id} that the engine at {@code baseUrl} counts as {@code isl} tokens (or the closest). */
    public Prompt prompt(final String baseUrl, final String model, final long id, final int isl) {
        if (Boolean.FALSE.equals(supported.get(baseUrl))) {
            return new Prompt(words(id, isl), -1);
        }
        try {
            final double[] s = shape(baseUrl, model);
            return fit(baseUrl, model, id, isl, s[0], s[1]);
        } catch (final Unsupported e) {
            if (supported.put(baseUrl, false) == null) {
                warn.accept("the engine at " + baseUrl + " has no /tokenize (" + e.getMessage() + "): prompts are "
                    + "ISL words, and each response's usage.prompt_tokens is checked against the ISL instead");
            }
            return new Prompt(words(id, isl), -1);
        } catch (final IllegalStateException e) {
            // The engine did not answer (it may have died): the request is still sent, and its failure counted.
            if (failing.add(baseUrl)) {
                warn.accept("could not count prompt tokens at " + baseUrl + " (" + e.getMessage() + "); its prompts "
                    + "are ISL words until it answers");
            }
            return new Prompt(words(id, isl), -1);
        }
    }

    private double[] shape(final String baseUrl, final String model) {
        final double[] known = shape.get(baseUrl);
        if (known != null) {
            return known;
        }
        final int empty = count(baseUrl, model, "");
        final int probe = count(baseUrl, model, words(-1L, 64));
        supported.put(baseUrl, true);
        final double[] s = {empty, Math.max(0.5, (probe - empty) / 64.0)};
        shape.put(baseUrl, s);
        return s;
    }

    private Prompt fit(final String url, final String model, final long id, final int isl, final double template,
                       final double perWord) {
        // The largest word count whose prompt is at most isl tokens: a secant start, then bisection.
        int lo = 0;
        int loCount = (int) template;
        int hi = -1;
        int n = Math.max(0, (int) Math.floor((isl - template) / perWord));
        for (int step = 0; step < MAX_STEPS && (hi < 0 || hi - lo > 1); step++) {
            final int c = count(url, model, words(id, n));
            if (c == isl) {
                return new Prompt(words(id, n), c);
            }
            if (c < isl) {
                lo = n;
                loCount = c;
                n = hi < 0 ? n + Math.max(1, (int) Math.ceil((isl - c) / perWord)) : (lo + hi) / 2;
            } else {
                hi = n;
                n = (lo + hi) / 2;
            }
            if (hi >= 0 && hi - lo <= 1) {
                break;
            }
            if (hi >= 0) {
                n = Math.max(lo + 1, Math.min(hi - 1, n));
            }
        }
        // Then short filler pieces for the last few tokens (each usually one token; counted, not assumed).
        final String base = words(id, lo);
        Prompt best = new Prompt(base, loCount);
        int k = isl - loCount;
        for (int step = 0; step < 6 && k > 0; step++) {
            final String text = base + FILLER.repeat(k);
            final int c = count(url, model, text);
            if (Math.abs(c - isl) < Math.abs(best.tokens() - isl)) {
                best = new Prompt(text, c);
            }
            if (c == isl) {
                break;
            }
            k += isl - c;
        }
        return best;
    }

    /** The engine's token count of one chat request whose single user message is {@code content}. */
    int count(final String baseUrl, final String model, final String content) {
        final ObjectNode body = JSON.createObjectNode().put("model", model).put("add_generation_prompt", true);
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        final HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/tokenize"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        final HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (final IOException e) {
            throw new IllegalStateException("POST " + baseUrl + "/tokenize failed: " + e, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + baseUrl + "/tokenize", e);
        }
        if (resp.statusCode() == 404 || resp.statusCode() == 405) {
            throw new Unsupported("HTTP " + resp.statusCode());
        }
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("POST " + baseUrl + "/tokenize: HTTP " + resp.statusCode() + ": "
                + resp.body().substring(0, Math.min(300, resp.body().length())));
        }
        try {
            final JsonNode n = JSON.readTree(resp.body());
            if (n.path("count").canConvertToInt()) {
                return n.path("count").asInt();
            }
            if (n.path("tokens").isArray()) {
                return n.path("tokens").size();
            }
            throw new Unsupported("its answer has neither count nor tokens");
        } catch (final IOException e) {
            throw new Unsupported("its answer is not JSON");
        }
    }

    private static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(final String why) {
            super(why, null, false, false);
        }
    }
}
