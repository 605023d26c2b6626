package dev.slaprof.producer;

import dev.slaprof.schema.avro.CapacitySource;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * How the benchmark worker reaches engines: real HTTP ({@link HttpLoadDriver}) or a simulated fleet in virtual time.
 * The worker owns the recipes (warm-ups, bursts, prompts); a driver only sends and measures, with AIPerf's
 * definitions (TTFT to the first content token, ITL over the content tokens, token counts as the usage reports).
 */
public interface LoadDriver extends AutoCloseable {
    /**
     * Sends one request per prompt of {@code prompts} (a prompt is an identity the driver turns into {@code isl}
     * tokens; equal ids are equal prompts), with at most {@code concurrency} outstanding (a closed loop), and hands
     * each measurement to {@code sink} as it completes. Returns when all are done.
     */
    void burst(Endpoint e, int isl, int osl, List<Long> prompts, int concurrency, Consumer<Measurement> sink);

    /** The KV capacity of one attention-DP rank, tokens, and where it was read; empty when unknown. */
    Capacity kvCapacityPerRank(Endpoint e);

    /** What a driver read of an engine's KV capacity, where from, and the evidence (or why it is unknown). */
    record Capacity(OptionalLong tokensPerRank, CapacitySource source, String detail) {
        public Capacity(final OptionalLong tokensPerRank, final String detail) {
            this(tokensPerRank, CapacitySource.METRICS, detail);
        }

        public static Capacity unknown(final String why) {
            return new Capacity(OptionalLong.empty(), CapacitySource.METRICS, why);
        }
    }

    @Override
    default void close() {
    }
}
