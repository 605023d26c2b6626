package dev.slaprof.domain.recommend;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.CostRow;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.ModePick;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Pick;
import dev.slaprof.schema.avro.PinnedChoice;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Sweep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamo's selection rules over live statistics (dynamo-profiler-spec.md §3-§4, §9): prefill = highest thpt/GPU
 * among mappings with TTFT within target at the profile ISL, else lowest TTFT (infeasible); decode = highest
 * thpt/GPU over all (mapping, in-flight) points with ITL within target, else lowest ITL. Ties go to sweep order
 * (GPU count ascending; TEP, DEP, TP; in-flight ascending). Plus Pareto fronts, the cost table and the tables.
 */
public final class Recommender {
    /** How far a bucket's mean ISL may sit from the profile ISL and still stand for it (relative). */
    public static final double ISL_MATCH_TOLERANCE = 0.10;

    private static final Comparator<PerfPoint> SWEEP_ORDER = Comparator
        .<PerfPoint>comparingInt(p -> p.getMapping().getGpus())
        .thenComparingInt(p -> Mappings.strategyRank(p.getMapping().getStrategy()))
        .thenComparingInt(PerfPoint::getInFlight);

    private Recommender() {
    }

    /**
     * The recommendation for one deployment and profile.
     *
     * @param stats      every bucket of the deployment
     * @param capacities KV capacity (tokens) by mapping label
     * @param incumbent  the previous recommendation, or null; it holds the picks only when the profile asks for it
     *                   ({@code hold_picks}, continuous profiling)
     */
    /** A point with more failed requests than this share is named as failed in the warnings. */
    public static final double FAILED_SHARE = 0.05;

    /** Names every planned point whose failed requests exceed {@link #FAILED_SHARE}, with the counts. */
    static void failedPoints(final List<MappingLoadStats> stats, final List<String> warnings) {
        for (final MappingLoadStats s : stats) {
            final long all = s.getOkCount() + s.getFailedCount();
            if (all > 0 && s.getFailedCount() > FAILED_SHARE * all) {
                warnings.add("Failed point: " + Mappings.pointName(s.getRole(), s.getMapping(), s.getIsl(), s.getInFlight())
                    + ": " + s.getFailedCount() + " of " + all + " requests failed");
            }
        }
    }

    public static Recommendation recommend(final Deployment deployment, final SlaTarget sla,
                                           final List<MappingLoadStats> stats, final Map<String, Long> capacities,
                                           final Recommendation incumbent, final long nowUs) {
        return recommend(deployment, sla, stats, capacities, incumbent, null, nowUs);
    }

    /**
     * The recommendation with a user's pin applied: a pinned side holds the pinned point (its tables are written
     * for it) and the automatic pick it overrides is kept alongside; a pin naming a mapping with no point leaves the
     * automatic pick in force, with a warning.
     *
     * @param pin the pin of this deployment and profile, or null
     */
    public static Recommendation recommend(final Deployment deployment, final SlaTarget sla,
                                           final List<MappingLoadStats> stats, final Map<String, Long> capacities,
                                           final Recommendation incumbent, final PinnedChoice pin, final long nowUs) {
        final List<String> warnings = new ArrayList<>();
        // What the run found outside the samples (an engine candidate that failed), first.
        sla.getRunNotes().forEach(n -> warnings.add(n.toString()));
        final List<PerfPoint> prefill = prefillPoints(stats, sla, warnings);
        final List<PerfPoint> decode = decodePoints(stats, sla);
        // The anti-flapping rule holds picks between rounds of continuous profiling only: otherwise the pick is
        // Dynamo's rule on the data as it stands, so it cannot depend on arrival order or on when flushes happened.
        final Recommendation held = sla.getHoldPicks() ? incumbent : null;
        final Pick autoPrefill = PickRule.pick(prefill, sla.getTtftMs(), "TTFT", held == null ? null
            : held.getAutomaticPrefill() != null ? held.getAutomaticPrefill() : held.getPrefill(), warnings);
        final Pick autoDecode = PickRule.pick(decode, sla.getItlMs(), "ITL", held == null ? null
            : held.getAutomaticDecode() != null ? held.getAutomaticDecode() : held.getDecode(), warnings);
        final Pick pinnedPrefill = pin == null ? null
            : Pins.prefill(prefill, pin, sla.getTtftMs(), sla.getIsl(), warnings);
        final Pick pinnedDecode = pin == null ? null : Pins.decode(decode, pin, sla.getItlMs(), warnings);
        final Pick prefillPick = pinnedPrefill != null ? pinnedPrefill : autoPrefill;
        final Pick decodePick = pinnedDecode != null ? pinnedDecode : autoDecode;
        final List<Integer> pFront = front(prefill);
        final List<Integer> dFront = front(decode);
        final List<CostRow> cost = new ArrayList<>();
        for (final int pi : pFront) {
            for (final int di : dFront) {
                final PerfPoint p = prefill.get(pi);
                final PerfPoint d = decode.get(di);
                final int[] xy = PickingModes.balancedComposition(p, d, sla.getOsl());
                cost.add(CostRow.newBuilder().setPrefillIndex(pi).setDecodeIndex(di).setPrefillTtftMs(p.getLatencyMs())
                    .setPrefillThptPerGpu(p.getThptPerGpu()).setDecodeItlMs(d.getLatencyMs())
                    .setDecodeThptPerGpu(d.getThptPerGpu()).setTokensPerUser(CostTable.tokensPerUser(d.getLatencyMs()))
                    .setGpuHours(CostTable.gpuHoursPer1000(sla.getIsl(), sla.getOsl(), p.getThptPerGpu(),
                        d.getThptPerGpu())).setComposition(xy[0] + "P" + xy[1] + "D").setPrefillWorkers(xy[0])
                    .setDecodeWorkers(xy[1]).build());
            }
        }
        long samples = 0;
        long newest = 0;
        boolean simulated = false;
        boolean measured = false;
        for (final MappingLoadStats s : stats) {
            samples += s.getOkCount();
            newest = Math.max(newest, s.getLastEventUs());
            simulated |= s.getSimulated();
            measured |= !s.getSimulated();
        }
        failedPoints(stats, warnings);
        if (prefill.isEmpty()) {
            warnings.add("No prefill results produced at ISL " + sla.getIsl());
        }
        if (decode.isEmpty()) {
            warnings.add("No decode results produced at ISL " + sla.getIsl());
        }
        final Recommendation r = Recommendation.newBuilder().setDeployment(deployment).setSla(sla).setPrefill(prefillPick)
            .setDecode(decodePick).setPrefillPoints(prefill).setDecodePoints(decode).setPrefillFront(pFront)
            .setDecodeFront(dFront).setCostTable(cost)
            .setPrefillTable(prefillPick == null ? null
                : Tables.prefill(stats, prefillPick.getPoint().getLabel(), sla.getStatistic()))
            .setDecodeTable(decodePick == null ? null : Tables.decode(stats, decodePick.getPoint().getLabel(),
                sla.getStatistic(), capacities.getOrDefault(decodePick.getPoint().getLabel(), 0L)))
            .setDataSource(simulated && measured ? "MIXED" : simulated ? "SIMULATED" : "MEASURED")
            .setWarnings(warnings).setSamplesTotal(samples).setGeneratedAtUs(nowUs).setNewestSampleUs(newest)
            .setPinned(pinnedPrefill != null || pinnedDecode != null ? pin : null)
            .setAutomaticPrefill(pinnedPrefill != null ? autoPrefill : null)
            .setAutomaticDecode(pinnedDecode != null ? autoDecode : null)
            .build();
        final ModePick mode = PickingModes.pick(
            sla.getPickingMode(), targets(sla), prefill, decode);
        r.setModePick(mode);
        if (mode != null && !mode.getFeasible()) {
            r.getWarnings().add(mode.getReason());
        }
        PlannerData.attach(r);
        return r;
    }

    /** The picking modes' view of a profile: an e2e target or an optimization type replaces the ITL constraint. */
    static PickingModes.Targets targets(final SlaTarget sla) {
        final boolean e2e = sla.getE2eLatencyMs() > 0;
        final boolean byType = !sla.getOptimizationType().isEmpty() && !e2e;
        return new PickingModes.Targets(sla.getTtftMs(),
            e2e || byType ? 0 : sla.getItlMs(), e2e ? sla.getE2eLatencyMs() : 0, sla.getOptimizationType(),
            sla.getOsl(), sla.getRequestRate(), sla.getConcurrency(), sla.getTotalGpus());
    }

    private static List<Integer> front(final List<PerfPoint> points) {
        final double[] x = new double[points.size()];
        final double[] y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i).getLatencyMs();
            y[i] = points.get(i).getThptPerGpu();
        }
        return ParetoFront.compute(x, y);
    }

    /** One prefill point per mapping at the profile ISL: the nearest bucket, or linear interpolation in ISL. */
    static List<PerfPoint> prefillPoints(final List<MappingLoadStats> stats, final SlaTarget sla,
                                         final List<String> warnings) {
        final Map<String, List<MappingLoadStats>> byMapping = group(stats, Role.PREFILL, sla);
        final List<PerfPoint> out = new ArrayList<>();
        for (final List<MappingLoadStats> buckets : byMapping.values()) {
            final PerfPoint p = atIsl(buckets, sla);
            if (p != null) {
                out.add(p);
            }
        }
        out.sort(SWEEP_ORDER);
        return out;
    }

    private static PerfPoint atIsl(final List<MappingLoadStats> buckets, final SlaTarget sla) {
        final int target = sla.getIsl();
        MappingLoadStats nearest = null;
        MappingLoadStats below = null;
        MappingLoadStats above = null;
        for (final MappingLoadStats b : buckets) {
            final double isl = PointBuilder.meanIsl(b);
            if (nearest == null || Math.abs(isl - target) < Math.abs(PointBuilder.meanIsl(nearest) - target)) {
                nearest = b;
            }
            if (isl <= target && (below == null || isl > PointBuilder.meanIsl(below))) {
                below = b;
            }
            if (isl >= target && (above == null || isl < PointBuilder.meanIsl(above))) {
                above = b;
            }
        }
        if (nearest != null && Math.abs(PointBuilder.meanIsl(nearest) - target) <= ISL_MATCH_TOLERANCE * target) {
            return PointBuilder.prefill(nearest, sla.getStatistic());
        }
        if (below != null && above != null) {
            final PerfPoint lo = PointBuilder.prefill(below, sla.getStatistic());
            final PerfPoint hi = PointBuilder.prefill(above, sla.getStatistic());
            final double f = (target - lo.getIsl()) / (double) (hi.getIsl() - lo.getIsl());
            final double ttft = lo.getLatencyMs() + f * (hi.getLatencyMs() - lo.getLatencyMs());
            final double thpt = target / ttft * 1000 * lo.getMapping().getAttnDp() / lo.getMapping().getGpus();
            final double ciHalfWidthMs = Math.max(lo.getCiHighMs() - lo.getLatencyMs(),
                hi.getCiHighMs() - hi.getLatencyMs());
            return new PerfPoint(Role.PREFILL, lo.getMapping(), lo.getLabel(), 1, target, ttft, thpt,
                Math.min(lo.getSamples(), hi.getSamples()), ttft - ciHalfWidthMs, ttft + ciHalfWidthMs,
                "INTERPOLATED_PREFILL_ISL");
        }
        return null;
    }

    /** Decode points: every in-flight bucket of each mapping at the ISL nearest the profile's (within 10 %). */
    static List<PerfPoint> decodePoints(final List<MappingLoadStats> stats, final SlaTarget sla) {
        final List<PerfPoint> out = new ArrayList<>();
        for (final List<MappingLoadStats> buckets : group(stats, Role.DECODE, sla).values()) {
            for (final MappingLoadStats b : buckets) {
                final double isl = PointBuilder.meanIsl(b);
                if (Math.abs(isl - sla.getIsl()) <= ISL_MATCH_TOLERANCE * sla.getIsl() && b.getItl().getCount() > 0) {
                    out.add(PointBuilder.decode(b, sla.getStatistic()));
                }
            }
        }
        out.sort(SWEEP_ORDER);
        return out;
    }

    private static Map<String, List<MappingLoadStats>> group(final List<MappingLoadStats> stats, final Role role,
                                                             final SlaTarget sla) {
        final Map<String, List<MappingLoadStats>> out = new HashMap<>();
        for (final MappingLoadStats s : stats) {
            final int gpus = s.getMapping().getGpus();
            // The picks are made from the SLA sweep (and unplanned traffic), never from the interpolation sweep's
            // points: an interpolation ISL near the profile ISL must not stand in for it.
            if (s.getRole() != role || s.getSweep() == Sweep.INTERPOLATION
                || s.getOkCount() < Math.max(1, sla.getMinSamples())
                || gpus < sla.getMinGpus() || gpus > sla.getMaxGpus()) {
                continue;
            }
            out.computeIfAbsent(Mappings.label(s.getMapping()), k -> new ArrayList<>()).add(s);
        }
        return out;
    }
}
