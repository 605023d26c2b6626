package dev.slaprof.producer;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import java.util.ArrayList;
import java.util.List;

/** Dynamo profiler's sweep plans (dynamo-profiler-spec.md §2-§6), exactly, with the PR #10125 fix selectable. */
public final class SweepPlans {
    /** Dynamo's cap on decode concurrency. */
    public static final int DECODE_MAX_CONCURRENCY = 2000;
    /** Warmup requests per attention-DP rank. */
    public static final int WARMUP_PER_DP_RANK = 3;
    /** OSL of a prefill measurement. */
    public static final int PREFILL_OSL = 5;
    /** Requests per attention-DP rank in a DEP prefill burst. */
    public static final int PREFILL_ATTN_DP_RATIO = 4;
    /** OSL of the decode interpolation sweep. */
    public static final int DECODE_INTERPOLATION_OSL = 500;

    private SweepPlans() {
    }

    /** Powers of two within [min, max]: (1, 8) gives [1, 2, 4, 8]. */
    public static List<Integer> gpuCounts(final int min, final int max) {
        final List<Integer> out = new ArrayList<>();
        for (int n = 1; n <= max; n <<= 1) {
            if (n >= min) {
                out.add(n);
            }
        }
        return out;
    }

    /** Candidate mappings without a quantization block (see the full form). */
    public static List<Mapping> candidates(final int n, final boolean moe, final boolean qwen3Moe, final int kvHeads,
                                           final int experts, final int intermediate) {
        return candidates(n, moe, qwen3Moe, kvHeads, experts, intermediate, 0);
    }

    /**
     * Candidate mappings for {@code n} GPUs: dense TP; MoE TEP and DEP (plus TP for Qwen3-MoE), filtered by the
     * divisibility rules: KV heads and intermediate size by the TP size, experts by the expert split, and with a
     * quantization block the per-rank intermediate size by the block (a check whose fact is unknown, i.e. 0, is
     * skipped; {@link #unknownFacts} names them).
     */
    public static List<Mapping> candidates(final int n, final boolean moe, final boolean qwen3Moe, final int kvHeads,
                                           final int experts, final int intermediate, final int quantBlock) {
        final List<Mapping> raw = new ArrayList<>();
        if (!moe) {
            raw.add(Mappings.tp(n));
        } else {
            raw.add(Mappings.tep(n));
            raw.add(Mappings.dep(n));
            if (qwen3Moe) {
                raw.add(Mappings.tp(n));
            }
        }
        final List<Mapping> ok = new ArrayList<>();
        for (final Mapping m : raw) {
            final int tpSize = switch (m.getStrategy()) {
                case DEP -> 1;
                default -> m.getTp();
            };
            final int expertSplit = switch (m.getStrategy()) {
                case TEP, DEP -> m.getGpus();
                default -> 1;
            };
            if (kvHeads > 0 && kvHeads % tpSize != 0) {
                continue;
            }
            if (experts > 0 && experts % expertSplit != 0) {
                continue;
            }
            if (intermediate > 0 && intermediate % tpSize != 0) {
                continue;
            }
            if (intermediate > 0 && tpSize > 1 && quantBlock > 0 && (intermediate / tpSize) % quantBlock != 0) {
                continue;
            }
            ok.add(m);
        }
        return ok;
    }

    /** The model facts whose divisibility check is skipped because they are unknown (0), for a warning. */
    public static List<String> unknownFacts(final boolean moe, final int kvHeads, final int experts,
                                            final int intermediate) {
        final List<String> out = new ArrayList<>();
        if (kvHeads <= 0) {
            out.add("num_kv_heads");
        }
        if (moe && experts <= 0) {
            out.add("num_experts");
        }
        if (intermediate <= 0) {
            out.add("intermediate_size");
        }
        return out;
    }

    /**
     * {@code get_num_request_range(a, C, g)}: decode in-flight points from {@code a} to the KV capacity
     * {@code C} (capped at 2000). With {@code fixed} the PR #10125 correction (no second factor {@code a} in the
     * step) applies; dense {@code a = 1} is the same either way.
     */
    public static List<Integer> numRequestRange(final int a, final int maxConcurrency, final int g, final boolean fixed) {
        final int cm = Math.min(maxConcurrency, DECODE_MAX_CONCURRENCY);
        final int cpd = cm / a;
        final List<Integer> out = new ArrayList<>();
        if (cpd < g) {
            for (int i = 1; i <= cpd; i++) {
                out.add(i * a);
            }
            return out;
        }
        final double step = fixed ? (cpd - 1.0) / (g - 1) : (cpd - 1.0) * a / (g - 1);
        for (int i = 0; i < g; i++) {
            out.add(a + (int) Math.floor(i * step) * a);
        }
        return out;
    }

    /** Prefill interpolation ISLs: range(100, Lmax - 512, (Lmax - 612) // g). */
    public static List<Integer> prefillIsls(final int maxContext, final int g) {
        final int m = maxContext - 512;
        if (m <= 100) {
            throw new IllegalArgumentException("max context " + maxContext + " leaves no room for a prefill sweep");
        }
        return range(m, (m - 100) / g, "prefill", g, maxContext);
    }

    /** Decode interpolation ISLs: range(100, Lmax - 500, (Lmax - 500) // g). */
    public static List<Integer> decodeIsls(final int maxContext, final int g) {
        final int end = maxContext - DECODE_INTERPOLATION_OSL;
        return range(end, end / g, "decode", g, maxContext);
    }

    /** Python's {@code range(100, end, step)}; a zero step (granularity too large) is an error, as in Dynamo. */
    private static List<Integer> range(final int end, final int step, final String phase, final int g,
                                       final int maxContext) {
        if (step <= 0) {
            throw new IllegalArgumentException(phase + " granularity " + g + " too large for max context " + maxContext);
        }
        final List<Integer> out = new ArrayList<>();
        for (int isl = 100; isl < end; isl += step) {
            out.add(isl);
        }
        return out;
    }
}
