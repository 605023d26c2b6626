package dev.slaprof.domain.recommend;

import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.Confidence;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.MetricStats;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.RunStats;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.Strategy;

/** Turns a statistics bucket into a {@link PerfPoint} under an SLA statistic (Dynamo's throughput formulas). */
public final class PointBuilder {
    /** z of a two-sided 95 % interval. */
    public static final double Z95 = Confidence.Z95;

    private PointBuilder() {
    }

    /**
     * The ISL a bucket stands for (tokens): a planned sweep point's requested ISL (its key), as Dynamo's tables list
     * it whatever the tokenizer counted; else the mean ISL of the successful samples (the key when none).
     */
    public static double meanIsl(final MappingLoadStats s) {
        return s.getPlanned() || s.getOkCount() == 0 ? s.getIsl() : (double) s.getInputTokens() / s.getOkCount();
    }

    /**
     * The OSL a bucket stands for (tokens): a planned decode point's requested OSL (its key), as Dynamo's decode
     * table computes its context {@code isl + osl/2}; else the mean OSL of the successful samples.
     */
    public static double meanOsl(final MappingLoadStats s) {
        if (s.getPlanned() && s.getOsl() > 0) {
            return s.getOsl();
        }
        return s.getOkCount() == 0 ? 0 : (double) s.getOutputTokens() / s.getOkCount();
    }

    /** The statistic of a metric, ms. */
    public static double value(final MetricStats m, final Statistic stat) {
        return switch (stat) {
            case P50 -> m.getP50Ms();
            case P90 -> m.getP90Ms();
            case P95 -> m.getP95Ms();
            case P99 -> m.getP99Ms();
            default -> m.getMeanMs();
        };
    }

    /**
     * Prefill point: TTFT under the statistic (DEP: Dynamo's newest burst rule {@code (max - ITL·(5-1)·(4-1)) / 4}
     * in MEAN mode, the percentile in its place otherwise) and {@code thpt = ISL / TTFT · 1000 · attn_dp / gpus}.
     */
    public static PerfPoint prefill(final MappingLoadStats s, final Statistic stat) {
        final MetricStats t = s.getTtft();
        final boolean dep = s.getMapping().getStrategy() == Strategy.DEP && s.getMapping().getAttnDp() > 1;
        double ttft = value(t, stat);
        if (dep) {
            final double burst = stat == Statistic.MEAN ? t.getMaxMs() : ttft;
            final double itl = s.getItl().getCount() > 0 ? s.getItl().getMeanMs() : 0;
            final double corrected = (burst - itl * (5 - 1) * (4 - 1)) / 4;
            ttft = corrected > 0 ? corrected : burst / 4;
        }
        final double isl = meanIsl(s);
        final double thpt = isl / ttft * 1000 * s.getMapping().getAttnDp() / s.getMapping().getGpus();
        final double ciHalfWidthMs = ciHalfWidthMs(t);
        return new PerfPoint(Role.PREFILL, s.getMapping(), Mappings.label(s.getMapping()), s.getInFlight(),
            (int) Math.round(isl), ttft, thpt, s.getOkCount(), ttft - ciHalfWidthMs, ttft + ciHalfWidthMs, "PREFILL_ISL_OVER_TTFT");
    }

    /**
     * Decode point: ITL under the statistic; throughput per GPU from the benchmark runs' output tokens over their
     * wall duration (AIPerf's output_token_throughput) when runs exist, else the steady state
     * {@code in-flight · 1000 / ITL / gpus}.
     */
    public static PerfPoint decode(final MappingLoadStats s, final Statistic stat) {
        final MetricStats itlStats = s.getItl();
        final double itl = value(itlStats, stat);
        final int gpus = s.getMapping().getGpus();
        double thpt = 0;
        int runs = 0;
        for (final RunStats r : s.getRuns()) {
            final double seconds = (r.getLastEndUs() - r.getFirstStartUs()) / 1e6;
            if (seconds > 0 && r.getRequests() > 0) {
                thpt += r.getOutputTokens() / seconds;
                runs++;
            }
        }
        final String method;
        if (runs > 0) {
            thpt = thpt / runs / gpus;
            method = "RUN_OUTPUT_OVER_DURATION";
        } else {
            thpt = s.getInFlight() * 1000.0 / itl / gpus;
            method = "STEADY_STATE_INFLIGHT_OVER_ITL";
        }
        final double ciHalfWidthMs = ciHalfWidthMs(itlStats);
        return new PerfPoint(Role.DECODE, s.getMapping(), Mappings.label(s.getMapping()), s.getInFlight(),
            (int) Math.round(meanIsl(s)), itl, thpt, itlStats.getCount(), itl - ciHalfWidthMs, itl + ciHalfWidthMs, method);
    }

    /** Half-width of the 95 % confidence interval of the mean, ms (normal approximation). */
    public static double ciHalfWidthMs(final MetricStats m) {
        return Confidence.halfWidth95(LatencyStats.stddev(m), m.getCount());
    }
}
