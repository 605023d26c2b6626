package dev.slaprof.producer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * KV-cache capacity of an engine in tokens, from its Prometheus metrics (vLLM {@code cache_config_info}
 * num_gpu_blocks x block_size) or from its log (vLLM "Maximum concurrency for X tokens per request: Y.YYx" gives
 * int(X * Y); SGLang "KV Cache is allocated ... #tokens: N"; TRT-LLM "max tokens in paged KV cache (N)"; the last
 * match wins). Per-rank values; callers multiply by the attention-DP size.
 */
public final class CapacityDiscovery {
    private static final Pattern VLLM_INFO = Pattern.compile("vllm:cache_config_info\\{([^}]*)}");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern VLLM_LOG =
        Pattern.compile("Maximum concurrency for ([\\d,]+) tokens per request: ([\\d.]+)x");
    private static final Pattern SGLANG_LOG = Pattern.compile("KV Cache is allocated.*#tokens: (\\d+)");
    private static final Pattern TRTLLM_LOG = Pattern.compile("max tokens in paged KV cache \\((\\d+)\\)");

    private CapacityDiscovery() {
    }

    /** Tokens per rank from a vLLM /metrics text; empty when the metric is absent. */
    public static OptionalLong fromMetrics(final String text) {
        final Matcher m = VLLM_INFO.matcher(text);
        OptionalLong found = OptionalLong.empty();
        while (m.find()) {
            long blocks = -1;
            long blockSize = -1;
            final Matcher l = LABEL.matcher(m.group(1));
            while (l.find()) {
                if (l.group(1).equals("num_gpu_blocks")) {
                    blocks = parseLong(l.group(2));
                } else if (l.group(1).equals("block_size")) {
                    blockSize = parseLong(l.group(2));
                }
            }
            if (blocks > 0 && blockSize > 0) {
                found = OptionalLong.of(blocks * blockSize);
            }
        }
        return found;
    }

    /** Tokens per rank from an engine log (vLLM, SGLang or TRT-LLM format; last match wins). */
    public static OptionalLong fromLog(final String log) {
        OptionalLong found = OptionalLong.empty();
        for (final String line : log.split("\\R")) {
            final Matcher v = VLLM_LOG.matcher(line);
            if (v.find()) {
                found = OptionalLong.of((long) (parseLong(v.group(1).replace(",", "")) * Double.parseDouble(v.group(2))));
                continue;
            }
            final Matcher s = SGLANG_LOG.matcher(line);
            if (s.find()) {
                found = OptionalLong.of(parseLong(s.group(1)));
                continue;
            }
            final Matcher t = TRTLLM_LOG.matcher(line);
            if (t.find()) {
                found = OptionalLong.of(parseLong(t.group(1)));
            }
        }
        return found;
    }

    /** Scrapes {@code baseUrl/metrics}; empty on any failure. */
    public static OptionalLong scrape(final HttpClient http, final String baseUrl) {
        try {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? fromMetrics(r.body()) : OptionalLong.empty();
        } catch (final java.io.IOException e) {
            return OptionalLong.empty();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    private static long parseLong(final String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (final NumberFormatException e) {
            return -1;
        }
    }
}
