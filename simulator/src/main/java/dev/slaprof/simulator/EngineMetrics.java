package dev.slaprof.simulator;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/** Counters and histograms of a simulated engine, exposed in Prometheus text with vLLM's metric names. */
public final class EngineMetrics {
    /** vLLM's TTFT buckets, seconds. */
    static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
        5.0, 7.5, 10, 20, 40, 80, 160, 640, 2560};
    /** vLLM's inter-token latency buckets, seconds. */
    static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5,
        7.5, 10, 20, 40, 80};

    private final Histogram ttft = new Histogram(TTFT_BUCKETS);
    private final Histogram itl = new Histogram(ITL_BUCKETS);
    private final AtomicLong generationTokens = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final DoubleAdder scheduledItlSum = new DoubleAdder();
    private final AtomicLong scheduledItlCount = new AtomicLong();

    void recordTtft(final double ms, final int rank) {
        ttft.observe(ms / 1000);
    }

    void recordItl(final double ms) {
        itl.observe(ms / 1000);
    }

    /** A finished request's ITL by the engine's own schedule (model ms), prefill interleaving included. */
    void recordScheduledItl(final double ms) {
        scheduledItlSum.add(ms);
        scheduledItlCount.incrementAndGet();
    }

    /**
     * Sum (model ms) and count of the finished requests' scheduled ITLs: what the performance model made each
     * request's ITL, for the batches the engine actually ran. A client measuring more than this sees the
     * simulator's (or the HTTP path's) own delay.
     */
    public double[] scheduledItl() {
        return new double[] {scheduledItlSum.sum(), scheduledItlCount.get()};
    }

    void recordFinished(final int outputTokens, final int inputTokens) {
        generationTokens.addAndGet(outputTokens);
        promptTokens.addAndGet(inputTokens);
        finished.incrementAndGet();
    }

    /** Prometheus text exposition of the engine's state and histories. */
    public String render(final EngineState engine, final String modelName) {
        final String labels = "model_name=\"" + modelName.replace("\"", "") + "\",engine=\"0\"";
        final StringBuilder sb = new StringBuilder(4096);
        gauge(sb, "vllm:num_requests_running", "Number of requests in model execution batches.", labels,
            engine.running());
        gauge(sb, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", labels,
            engine.waiting());
        gauge(sb, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", labels, engine.kvUsage());
        final long blockSize = 16;
        final long blocks = engine.model().kvTokensPerRank() / blockSize;
        sb.append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n")
            .append("# TYPE vllm:cache_config_info gauge\n")
            .append("vllm:cache_config_info{block_size=\"").append(blockSize).append("\",num_gpu_blocks=\"")
            .append(blocks).append("\",enable_prefix_caching=\"True\",").append(labels).append("} 1.0\n");
        counter(sb, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", labels, promptTokens.get());
        counter(sb, "vllm:generation_tokens_total", "Number of generation tokens processed.", labels,
            generationTokens.get());
        counter(sb, "vllm:request_success_total", "Count of successfully processed requests.", labels,
            finished.get());
        ttft.render(sb, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", labels);
        itl.render(sb, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", labels);
        return sb.toString();
    }

    private static void gauge(final StringBuilder sb, final String name, final String help, final String labels,
                              final double v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(" gauge\n")
            .append(name).append('{').append(labels).append("} ").append(fmt(v)).append('\n');
    }

    private static void counter(final StringBuilder sb, final String name, final String help, final String labels,
                                final double v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name.replace("_total", "")).append(" counter\n")
            .append(name).append('{').append(labels).append("} ").append(fmt(v)).append('\n');
    }

    private static String fmt(final double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    /** A cumulative Prometheus histogram. */
    private static final class Histogram {
        private final double[] bounds;
        private final AtomicLongArray counts;
        private final DoubleAdder sum = new DoubleAdder();
        private final AtomicLong count = new AtomicLong();

        Histogram(final double[] bounds) {
            this.bounds = bounds;
            this.counts = new AtomicLongArray(bounds.length);
        }

        void observe(final double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts.incrementAndGet(i);
                    break;
                }
            }
            sum.add(v);
            count.incrementAndGet();
        }

        void render(final StringBuilder sb, final String name, final String help, final String labels) {
            sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts.get(i);
                sb.append(name).append("_bucket{").append(labels).append(",le=\"").append(fmt(bounds[i]))
                    .append("\"} ").append(cumulative).append('\n');
            }
            sb.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count.get()).append('\n')
                .append(name).append("_sum{").append(labels).append("} ").append(fmt(sum.sum())).append('\n')
                .append(name).append("_count{").append(labels).append("} ").append(count.get()).append('\n');
        }
    }
}
