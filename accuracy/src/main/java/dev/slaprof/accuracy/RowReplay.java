package dev.slaprof.accuracy;

import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Strategy;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.GpuSpec;
import dev.slaprof.simulator.ModelSpec;
import dev.slaprof.simulator.PerfModel;
import dev.slaprof.simulator.PerfParams;
import dev.slaprof.simulator.arch.Precision;
import dev.slaprof.simulator.arch.Quant;
import dev.slaprof.simulator.replay.ClosedLoopReplay;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Replays one measured row in the virtual fleet: the row's model (from its config.json), system, backend (its
 * scheduler and fitted constants), precision and mapping, under a closed loop of the row's concurrency at its ISL
 * and OSL. A row it cannot replay gets a reason instead of a number.
 *
 * <p>Assumptions the CSV does not settle, stated once: the KV cache is FP8 on rows whose precision is fp8 or fp4
 * (the serving recipes of InferenceX and of NVIDIA's sweeps set it) and BF16 otherwise; a KV transfer between
 * disaggregated workers moves at NVLink speed inside an NVL72 domain and at 50 GB/s (one 400 Gb/s NIC) per
 * prefill GPU elsewhere; a worker's running batch is limited by its KV cache only.
 */
public final class RowReplay {
    /** AI Configurator's system names and the GPUs of config/gpus.yaml they are. */
    static final Map<String, String> SYSTEMS = Map.of("h100_sxm", "H100-SXM", "h200_sxm", "H200-SXM", "b200_sxm",
        "B200", "b300_sxm", "B300", "gb200", "GB200", "gb300", "GB300", "a100_sxm", "A100-80GB");
    static final Set<String> BACKENDS = Set.of("vllm", "sglang", "trtllm");
    /** Per-GPU NIC bandwidth for KV transfers outside an NVLink domain, GB/s (400 Gb/s). */
    static final double NIC_GBPS = 50;

    /**
     * The replay of a row, or why there is none.
     *
     * @param ttftMs    estimated mean TTFT, ms (NaN when skipped)
     * @param tpotMs    estimated mean TPOT, ms (NaN when skipped)
     * @param kvLimited true when prompts waited for KV room (past the queueing knee)
     * @param skip      why the row was not replayed, or null
     */
    public record Estimate(SiliconRow row, double ttftMs, double tpotMs, boolean kvLimited, String skip) {
        public boolean replayed() {
            return skip == null;
        }
    }

    private final Catalog catalog;
    private final int waves;
    private final Map<String, Object> models = new ConcurrentHashMap<>();

    public RowReplay(final Catalog catalog, final int waves) {
        this.catalog = catalog;
        this.waves = waves;
    }

    private static Estimate skip(final SiliconRow r, final String why) {
        return new Estimate(r, Double.NaN, Double.NaN, false, why);
    }

    /** The model of a row, read once per model id; a String is the reason it cannot be read. */
    private Object model(final String id) {
        return models.computeIfAbsent(id, k -> {
            try {
                return catalog.model(k);
            } catch (final IllegalArgumentException e) {
                final String m = e.getMessage();
                if (m.contains("is not supported")) {
                    return "unsupported architecture: " + m.substring(m.indexOf("architecture '") + 14,
                        m.indexOf("' is not"));
                }
                return m.startsWith("unknown model") ? "unknown model: " + k : "model config: " + m;
            }
        });
    }

    /** The GPU generation of a row's system, or null for an unknown system. */
    public String generation(final SiliconRow r) {
        final String gpuName = SYSTEMS.get(r.system().toLowerCase(Locale.ROOT));
        return gpuName == null ? null : catalog.gpu(gpuName).generation();
    }

    /** Replays {@code r} with the constants {@code paramsOf} gives for its backend and GPU generation. */
    public Estimate replay(final SiliconRow r, final BiFunction<String, String, PerfParams> paramsOf) {
        if (!BACKENDS.contains(r.backend())) {
            return skip(r, "unknown backend: " + r.backend());
        }
        final String gpuName = SYSTEMS.get(r.system().toLowerCase(Locale.ROOT));
        if (gpuName == null) {
            return skip(r, "unknown system: " + r.system() + " (known: " + String.join(", ", new TreeSet<>(SYSTEMS.keySet())) + ")");
        }
        final GpuSpec gpu = catalog.gpu(gpuName);
        final PerfParams params = paramsOf.apply(r.backend(), gpu.generation());
        final Object m = model(r.model());
        if (m instanceof String reason) {
            return skip(r, reason);
        }
        final ModelSpec spec;
        try {
            spec = served((ModelSpec) m, r);
        } catch (final IllegalArgumentException e) {
            return skip(r, "precision: " + e.getMessage());
        }
        final ClosedLoopReplay.Load load = new ClosedLoopReplay.Load(r.concurrency(), r.isl(), r.osl(),
            r.inferenceX() ? 0.8 : 1.0, waves, r.id().hashCode());
        try {
            final ClosedLoopReplay.Result res;
            if (r.disaggregated()) {
                final String bad = unsupported(r.prefill(), "prefill", spec);
                final String badD = unsupported(r.decode(), "decode", spec);
                if (bad != null || badD != null) {
                    return skip(r, bad != null ? bad : badD);
                }
                final PerfModel p = new PerfModel(spec, gpu, params, mapping(r.prefill(), spec));
                final PerfModel d = new PerfModel(spec, gpu, params, mapping(r.decode(), spec));
                if (p.kvTokensPerRank() <= 0 || d.kvTokensPerRank() <= 0) {
                    return skip(r, "weights do not fit the GPUs of a worker");
                }
                final double link = gpu.nvlinkDomain() > 8 ? gpu.nvlinkGbps() : NIC_GBPS * r.prefill().gpus();
                res = ClosedLoopReplay.disaggregated(p, r.prefill().count() * r.prefill().dp(), d,
                    r.decode().count() * r.decode().dp(), Integer.MAX_VALUE, link, load);
            } else {
                final String bad = unsupported(r.agg(), "", spec);
                if (bad != null) {
                    return skip(r, bad);
                }
                final PerfModel a = new PerfModel(spec, gpu, params, mapping(r.agg(), spec));
                if (a.kvTokensPerRank() <= 0) {
                    return skip(r, "weights do not fit the GPUs of a worker");
                }
                res = ClosedLoopReplay.aggregated(a, r.agg().dp(), Integer.MAX_VALUE, load);
            }
            return new Estimate(r, res.ttftMs(), res.tpotMs(), res.kvLimited(), null);
        } catch (final IllegalStateException e) {
            return skip(r, "replay stalled: a request does not fit one worker's KV cache");
        }
    }

    private static String unsupported(final SiliconRow.Workers w, final String role, final ModelSpec spec) {
        if (w.count() == 0) {
            return "disagg row without " + role + "_num_workers (the deployment's worker counts are not given)";
        }
        if (w.pp() > 1) {
            return "pipeline parallelism is not modelled";
        }
        if (w.dp() > 1 && w.tp() > 1) {
            return "attention DP with TP inside each rank is not modelled";
        }
        if (w.dp() <= 1 && w.tp() > 1 && spec.numAttentionHeads() % w.tp() != 0) {
            // vLLM, SGLang and TRT-LLM split the query heads evenly over TP ranks: such a tp_size is not one engine's
            // TP (the GPU count of a multi-node deployment?), so the row cannot be replayed as written.
            return "tp_size does not divide the model's attention heads (not one engine's TP)";
        }
        return null;
    }

    /** The row's precision on the model: its gemm/moe quant modes, else its precision column, else the config's. */
    static ModelSpec served(final ModelSpec m, final SiliconRow r) {
        final Precision base = m.precision();
        final Quant column = r.precision().isEmpty() ? null : Quant.parse(r.precision());
        final Quant gemm = !r.gemmQuant().isEmpty() ? Quant.parse(r.gemmQuant()) : column != null ? column : base.gemm();
        final Quant moe = !r.moeQuant().isEmpty() ? Quant.parse(r.moeQuant()) : column != null ? column : base.moe();
        final boolean lowPrecision = r.precision().equals("fp8") || r.precision().equals("fp4");
        return m.withPrecision(new Precision(gemm, moe, lowPrecision ? 1 : base.kvBytes()));
    }

    /** The slaprof mapping of a worker: DEP with attention DP, TEP with experts over EP, else TP. */
    static Mapping mapping(final SiliconRow.Workers w, final ModelSpec spec) {
        if (w.dp() > 1) {
            return new Mapping(Strategy.DEP, w.dp(), 1, Math.max(1, w.moeEp()), w.dp());
        }
        if (spec.isMoe() && w.moeEp() > 1) {
            return new Mapping(Strategy.TEP, w.tp(), w.tp(), w.moeEp(), 1);
        }
        return new Mapping(Strategy.TP, w.tp(), w.tp(), 1, 1);
    }
}
