package dev.slaprof.accuracy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One measured row in AI Configurator's silicon format: a benchmark of one deployment at one load.
 *
 * @param line        line of the CSV it came from (1 = header)
 * @param id          the CSV's own id
 * @param source      silicon_data_source (provenance and, usually, silicon_concurrency)
 * @param backend     vllm, sglang or trtllm
 * @param version     backend_version
 * @param model       model_path, a Hugging Face id
 * @param system      AIC's system name (h100_sxm, b200_sxm, gb200, ...)
 * @param precision   the precision column (fp8, fp4, int4, bf16 or empty)
 * @param mode        agg or disagg
 * @param isl         input length, tokens
 * @param osl         output length, tokens
 * @param gemmQuant   gemm_quant_mode (may be empty)
 * @param moeQuant    moe_quant_mode (may be empty)
 * @param concurrency concurrent requests of the benchmark
 * @param agg         the aggregated engine (agg rows), else null
 * @param prefill     the prefill workers (disagg rows), else null
 * @param decode      the decode workers (disagg rows), else null
 * @param ttftMs      measured mean TTFT, ms
 * @param tpotMs      measured mean TPOT, ms
 * @param columns     every column of the row by name, as written (what AI Configurator is asked with)
 */
public record SiliconRow(int line, String id, String source, String backend, String version, String model,
                         String system, String precision, String mode, int isl, int osl, String gemmQuant,
                         String moeQuant, int concurrency, Workers agg, Workers prefill, Workers decode,
                         double ttftMs, double tpotMs, Map<String, String> columns) {

    /**
     * Identical workers of one role.
     *
     * @param count  workers
     * @param batch  batch size configured (per worker)
     * @param tp     tensor parallel size
     * @param pp     pipeline parallel size
     * @param dp     attention data-parallel size
     * @param moeTp  MoE tensor parallel size
     * @param moeEp  MoE expert parallel size
     */
    public record Workers(int count, int batch, int tp, int pp, int dp, int moeTp, int moeEp) {
        /** GPUs of one worker. */
        public int gpus() {
            return tp * pp * Math.max(1, dp);
        }
    }

    public boolean disaggregated() {
        return "disagg".equals(mode);
    }

    /**
     * True for the rows of InferenceX (its database dump and its dated exports): their benchmark draws each request's
     * ISL and OSL uniformly in [0.8 x, 1 x] ({@code random-range-ratio 0.8}). NVIDIA's gap-analysis sweeps use fixed
     * lengths.
     */
    public boolean inferenceX() {
        return source.startsWith("db-dump/") || source.matches("^source_file=\\d{4}-\\d{2}-\\d{2}\\.csv.*");
    }

    /**
     * The first {@code n} rows of each stratum, in the rows' order (the stratum of a row: {@code stratum}).
     */
    public static List<SiliconRow> firstOfEach(final List<SiliconRow> rows, final int n,
                                                       final Function<SiliconRow, String> stratum) {
        final Map<String, Integer> taken = new HashMap<>();
        final List<SiliconRow> out = new ArrayList<>();
        for (final SiliconRow r : rows) {
            if (taken.merge(stratum.apply(r), 1, Integer::sum) <= n) {
                out.add(r);
            }
        }
        return out;
    }

    /** The group a row's errors are reported in: model, system, backend, precision, mode. */
    public String group() {
        return model + " | " + system + " | " + backend + " | " + (precision.isEmpty() ? "bf16" : precision) + " | "
            + mode;
    }
}
