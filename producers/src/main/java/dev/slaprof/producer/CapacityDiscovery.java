package dev.slaprof.producer;

import dev.slaprof.schema.avro.CapacitySource;
import java.nio.file.Path;
import java.nio.file.Files;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * KV-cache capacity of one engine rank in tokens, read from the engine's own words, with the evidence (the line it
 * came from) or the reason nothing was found. Callers multiply by the attention-DP size.
 *
 * <p>Logs, in Dynamo's order per engine (dynamo-profiler-spec.md §4): vLLM {@code Maximum concurrency for X tokens
 * per request: Yx} gives int(X · Y), else V1 {@code GPU KV cache size: N tokens}, else V0 {@code # GPU blocks: N}
 * times the block size (16 unless told); SGLang {@code max_total_num_tokens=N} or {@code KV Cache is allocated.
 * ... #tokens: N} (first match); TRT-LLM {@code Allocated ... for max tokens in paged KV cache (N)} or {@code Using N
 * tokens in paged KV cache} (the last match, PR #7988), else Dynamo's fallback of 100000, marked as such. Metrics:
 * vLLM {@code cache_config_info} (num_gpu_blocks x block_size; {@code num_gpu_blocks="None"} counts as absent) and
 * SGLang's {@code sglang:max_total_num_tokens}, or {@code sglang:num_used_tokens / sglang:token_usage}.
 */
public final class CapacityDiscovery {
    /** Dynamo's TRT-LLM fallback when no paged-KV line is in the log. */
    public static final long TRTLLM_FALLBACK_TOKENS = 100_000;
    /** vLLM V0's default block size, for {@code # GPU blocks: N}. */
    public static final int VLLM_DEFAULT_BLOCK_SIZE = 16;

    private static final Pattern VLLM_INFO = Pattern.compile("vllm:cache_config_info\\{([^}]*)}");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern VLLM_CONCURRENCY =
        Pattern.compile("Maximum concurrency for ([\\d,]+) tokens per request: ([\\d.]+)x");
    private static final Pattern VLLM_CACHE_SIZE = Pattern.compile("GPU KV cache size: ([\\d,]+) tokens");
    private static final Pattern VLLM_V0_BLOCKS = Pattern.compile("# GPU blocks: ([\\d,]+)");
    private static final Pattern SGLANG_MAX_TOTAL = Pattern.compile("max_total_num_tokens=(\\d+)");
    private static final Pattern SGLANG_ALLOCATED = Pattern.compile("KV Cache is allocated\\..*#tokens: (\\d+)");
    private static final Pattern TRTLLM_ALLOCATED = Pattern.compile("for max tokens in paged KV cache \\((\\d+)\\)");
    private static final Pattern TRTLLM_USING = Pattern.compile("Using (\\d+) tokens in paged KV cache");
    private static final Pattern SGLANG_GAUGE =
        Pattern.compile("^(sglang:[a-z_]+)(?:\\{[^}]*})?\\s+([-+0-9.eE]+)\\s*$", Pattern.MULTILINE);

    /**
     * What was found: tokens per rank (empty when nothing), the rule and the line it came from, or why nothing was
     * found. {@code fallback} marks a number that is Dynamo's default rather than the engine's word.
     */
    public record Finding(OptionalLong tokensPerRank, String rule, String evidence, boolean fallback) {
        static Finding of(final long tokens, final String rule, final String line) {
            return new Finding(OptionalLong.of(tokens), rule, line.strip(), false);
        }

        static Finding none(final String why) {
            return new Finding(OptionalLong.empty(), "none", why, false);
        }

        public boolean found() {
            return tokensPerRank.isPresent();
        }

        /** One line for a user: the number and where it came from, or why there is none. */
        public String describe() {
            if (!found()) {
                return "nothing found: " + evidence;
            }
            return String.format(Locale.ROOT, "%,d tokens per rank (%s%s): %s", tokensPerRank.getAsLong(), rule,
                fallback ? ", Dynamo's fallback, not the engine's word" : "", evidence);
        }
    }

    private CapacityDiscovery() {
    }

    /** Tokens per rank from a vLLM /metrics text; empty when the metric is absent. */
    public static OptionalLong fromMetrics(final String text) {
        return readMetrics(text).tokensPerRank();
    }

    /** Tokens per rank from an engine log (any of the three engines); empty when no rule matched. */
    public static OptionalLong fromLog(final String log) {
        return readLog(log, VLLM_DEFAULT_BLOCK_SIZE).tokensPerRank();
    }

    /** Reads a /metrics text: vLLM's cache_config_info, then SGLang's gauges. */
    public static Finding readMetrics(final String text) {
        final Matcher m = VLLM_INFO.matcher(text);
        final List<String> unusable = new ArrayList<>();
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
                return Finding.of(blocks * blockSize, "vllm:cache_config_info num_gpu_blocks x block_size",
                    m.group());
            }
            unusable.add(m.group());
        }
        double maxTotal = -1;
        double used = -1;
        double usage = -1;
        final Matcher g = SGLANG_GAUGE.matcher(text);
        String maxLine = null;
        while (g.find()) {
            final double v = parseDouble(g.group(2));
            switch (g.group(1)) {
                case "sglang:max_total_num_tokens" -> {
                    maxTotal = v;
                    maxLine = g.group();
                }
                case "sglang:num_used_tokens" -> used = v;
                case "sglang:token_usage" -> usage = v;
                default -> {
                    // other SGLang gauges say nothing of the capacity
                }
            }
        }
        if (maxTotal > 0) {
            return Finding.of((long) maxTotal, "sglang:max_total_num_tokens", maxLine);
        }
        if (used > 0 && usage > 0) {
            return Finding.of(Math.round(used / usage), "sglang:num_used_tokens / sglang:token_usage",
                String.format(Locale.ROOT, "sglang:num_used_tokens %.0f, sglang:token_usage %s", used, usage));
        }
        if (!unusable.isEmpty()) {
            return Finding.none("vllm:cache_config_info has no usable num_gpu_blocks and block_size ("
                + unusable.get(0) + "); the engine may not have profiled its memory yet");
        }
        if (used == 0 || usage == 0) {
            return Finding.none("SGLang's KV pool is empty (sglang:token_usage 0): the capacity cannot be derived "
                + "until a request holds tokens, and sglang:max_total_num_tokens is absent");
        }
        return Finding.none("no vllm:cache_config_info and no sglang:max_total_num_tokens in the metrics");
    }

    /**
     * Reads an engine start-up log.
     *
     * @param blockSize vLLM V0's block size for {@code # GPU blocks: N} (its {@code --block-size}, default 16)
     */
    public static Finding readLog(final String log, final int blockSize) {
        final String[] lines = log.split("\\R");
        Finding f = first(lines, VLLM_CONCURRENCY, "vLLM 'Maximum concurrency' (X tokens x Y)",
            m -> (long) (parseLong(m.group(1).replace(",", "")) * parseDouble(m.group(2))));
        if (f == null) {
            f = first(lines, VLLM_CACHE_SIZE, "vLLM 'GPU KV cache size'", m -> parseLong(m.group(1).replace(",", "")));
        }
        if (f == null) {
            f = first(lines, VLLM_V0_BLOCKS, "vLLM V0 '# GPU blocks' x block size " + blockSize,
                m -> parseLong(m.group(1).replace(",", "")) * blockSize);
        }
        if (f == null) {
            f = first(lines, SGLANG_MAX_TOTAL, "SGLang max_total_num_tokens", m -> parseLong(m.group(1)));
        }
        if (f == null) {
            f = first(lines, SGLANG_ALLOCATED, "SGLang 'KV Cache is allocated'", m -> parseLong(m.group(1)));
        }
        if (f != null) {
            return f;
        }
        for (int i = lines.length - 1; i >= 0; i--) {
            for (final Pattern p : new Pattern[] {TRTLLM_ALLOCATED, TRTLLM_USING}) {
                final Matcher m = p.matcher(lines[i]);
                if (m.find() && parseLong(m.group(1)) > 0) {
                    return Finding.of(parseLong(m.group(1)), "TRT-LLM paged KV cache (last match)", lines[i]);
                }
            }
        }
        if (log.contains("TensorRT-LLM") || log.contains("tensorrt_llm") || log.contains("[TRT-LLM]")) {
            return new Finding(OptionalLong.of(TRTLLM_FALLBACK_TOKENS), "TRT-LLM fallback",
                "a TRT-LLM log without a paged-KV-cache line", true);
        }
        return Finding.none("no line matched any engine's capacity format (vLLM 'Maximum concurrency for X tokens "
            + "per request: Yx', 'GPU KV cache size: N tokens', '# GPU blocks: N'; SGLang 'max_total_num_tokens=N', "
            + "'KV Cache is allocated. ... #tokens: N'; TRT-LLM '... max tokens in paged KV cache (N)', 'Using N "
            + "tokens in paged KV cache') in " + lines.length + " lines");
    }

    private interface Extract {
        long tokens(Matcher m);
    }

    private static Finding first(final String[] lines, final Pattern p, final String rule, final Extract x) {
        for (final String line : lines) {
            final Matcher m = p.matcher(line);
            if (m.find()) {
                final long tokens = x.tokens(m);
                if (tokens > 0) {
                    return Finding.of(tokens, rule, line);
                }
            }
        }
        return null;
    }

    /** Scrapes {@code baseUrl/metrics}; empty on any failure. */
    public static OptionalLong scrape(final HttpClient http, final String baseUrl) {
        return scrapeFinding(http, baseUrl).tokensPerRank();
    }

    /** Scrapes {@code baseUrl/metrics} and reads it; a failure to reach it is the reason of an empty finding. */
    public static Finding scrapeFinding(final HttpClient http, final String baseUrl) {
        try {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? readMetrics(r.body())
                : Finding.none(baseUrl + "/metrics answered HTTP " + r.statusCode());
        } catch (final IOException e) {
            return Finding.none("cannot read " + baseUrl + "/metrics: " + e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return Finding.none("interrupted reading " + baseUrl + "/metrics");
        }
    }

    private static long parseLong(final String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    private static double parseDouble(final String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The KV capacity of one rank read from an engine's start-up log file (vLLM, SGLang or TRT-LLM wording), for the
     * engine of {@code label}; a missing file or a log without a capacity line is an error naming {@code option}.
     */
    public static LoadDriver.Capacity fromLogFile(final String option, final String label, final Path file)
        throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + label + "=" + file + ": no such file");
        }
        final Finding f = readLog(Files.readString(file), VLLM_DEFAULT_BLOCK_SIZE);
        if (!f.found()) {
            throw new IllegalArgumentException(option + " " + label + "=" + file + ": " + f.describe());
        }
        return new LoadDriver.Capacity(f.tokensPerRank(), CapacitySource.LOG, f.rule() + ": " + f.evidence());
    }
}
