package dev.slaprof.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.SplittableRandom;

/**
 * One OpenAI completion request as the simulated engine reads it: the prompt (a chat's messages joined), its length
 * in the simulator's tokens (whitespace-separated words), and the output length. Without {@code ignore_eos} (or a
 * {@code min_tokens} reaching the limit) the engine "stops early" at a length drawn from the request itself, so the
 * same request always gets the same length and equal seeds give equal runs.
 *
 * @param osl       tokens the engine will produce
 * @param stream    SSE or one JSON body
 * @param usage     {@code stream_options.include_usage}: a usage chunk before {@code [DONE]}
 */
record CompletionRequest(String prompt, int isl, int maxTokens, int osl, boolean stream, boolean usage) {
    static CompletionRequest of(final JsonNode body, final boolean chat) {
        final String prompt = chat ? chatText(body.path("messages")) : body.path("prompt").asText("");
        final int maxTokens = body.has("max_completion_tokens") ? body.path("max_completion_tokens").asInt()
            : body.path("max_tokens").asInt(16);
        final int minTokens = body.path("min_tokens").asInt(0);
        final boolean exact = body.path("ignore_eos").asBoolean(false) || minTokens >= maxTokens;
        final double u = new SplittableRandom(31L * prompt.hashCode() + maxTokens).nextDouble();
        final int osl = Math.max(1, exact ? maxTokens : Math.max(Math.max(1, minTokens),
            (int) (maxTokens * (0.5 + 0.5 * u))));
        return new CompletionRequest(prompt, countTokens(prompt), maxTokens, osl, body.path("stream").asBoolean(false),
            body.path("stream_options").path("include_usage").asBoolean(false));
    }

    /** A draw in [0, 1) of this request's own, independent of its length draw ({@code salt} tells them apart). */
    double draw(final long salt) {
        return new SplittableRandom((31L * prompt.hashCode() + maxTokens) ^ salt).nextDouble();
    }

    private static String chatText(final JsonNode messages) {
        final StringBuilder sb = new StringBuilder();
        for (final JsonNode m : messages) {
            sb.append(m.path("content").asText("")).append(' ');
        }
        return sb.toString();
    }

    /** Prompt tokens of the simulator's tokenizer: whitespace-separated words. */
    static int countTokens(final String text) {
        int n = 0;
        boolean in = false;
        for (int i = 0; i < text.length(); i++) {
            final boolean ws = Character.isWhitespace(text.charAt(i));
            if (!ws && !in) {
                n++;
            }
            in = !ws;
        }
        return n;
    }
}
