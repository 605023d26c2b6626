package dev.slaprof.profiler;

import dev.slaprof.domain.recommend.Recommender;
import dev.slaprof.producer.BenchmarkWorker;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.FocusPlan;
import dev.slaprof.producer.PointTally;
import dev.slaprof.producer.Progress;
import dev.slaprof.producer.SweepPlans;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.simulator.ModelSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

/** Dynamo's profiling plan run by the benchmark worker, plus continuous profiling's focus rounds. */
public final class Sweep {
    private final BenchmarkWorker worker;
    private final List<Endpoint> endpoints;
    private final SlaTarget sla;
    private final ModelSpec spec;
    private final PrintStream out;
    private final int maxConcurrency;
    private final Map<String, Long> capacity = new HashMap<>();
    private EngineGate gate = EngineGate.OPEN;

    /**
     * @param spec model facts for the interpolation sweeps' context range; null when only the parallelization
     *             sweep runs
     */
    public Sweep(final BenchmarkWorker worker, final List<Endpoint> endpoints, final SlaTarget sla, final ModelSpec spec,
          final PrintStream out, final int maxConcurrency) {
        this.worker = worker;
        this.endpoints = endpoints;
        this.sla = sla;
        this.spec = spec;
        this.out = out;
        this.maxConcurrency = maxConcurrency;
    }

    private List<Endpoint> endpoints(final Role role) {
        final List<Endpoint> eps = new ArrayList<>();
        for (final Endpoint e : endpoints) {
            if (e.role() == role) {
                eps.add(e);
            }
        }
        return eps;
    }

    /**
     * Runs the sweep on engines that must first be started, or cannot all run at once: {@code gate} orders the
     * endpoints into groups whose engines run together and starts each endpoint's engine before its points.
     */
    public Sweep gatedBy(final EngineGate g) {
        this.gate = g;
        return this;
    }

    /**
     * Prefill at the SLA ISL on every prefill engine, then the decode in-flight sweep on every decode engine; with
     * engines in waves ({@link #gatedBy}), the same per wave.
     */
    public void parallelizationSweep() {
        final List<List<Endpoint>> groups = gate.groups(endpoints);
        for (int k = 0; k < groups.size(); k++) {
            final String wave = groups.size() > 1 ? " (wave " + (k + 1) + " of " + groups.size() + ")" : "";
            prefillSweep(only(groups.get(k), Role.PREFILL), wave);
            decodeSweep(only(groups.get(k), Role.DECODE), wave);
        }
    }

    private void prefillSweep(final List<Endpoint> prefill, final String wave) {
        final Progress p = new Progress("prefill sweep" + wave, prefill.size(), out);
        for (final Endpoint e : prefill) {
            stopIfAsked();
            if (ready(e, "prefill sweep")) {
                worker.prefillPoint(e, sla.getIsl(), 1, dev.slaprof.schema.avro.Sweep.SLA);
                reportFailures(BenchmarkWorker.pointName(e, sla.getIsl(), 1));
            }
            p.step(Mappings.label(e.mapping()) + " at ISL " + sla.getIsl());
        }
    }

    private void decodeSweep(final List<Endpoint> decode, final String wave) {
        final Map<Endpoint, List<Integer>> plan = new HashMap<>();
        int total = 0;
        for (final Endpoint e : decode) {
            if (!ready(e, "decode sweep")) {
                continue;
            }
            final long kv = worker.discoverCapacity(e);
            capacity.put(Mappings.label(e.mapping()), kv);
            if (kv == 0) {
                out.println("  decode sweep: KV capacity of " + Mappings.label(e.mapping()) + " at " + e.url()
                    + " unknown (" + worker.lastCapacityReason() + "); its decode sweep is skipped (give it with "
                    + "--kv-capacity or --engine-log)");
            }
            final int allowed = (int) Math.min(SweepPlans.DECODE_MAX_CONCURRENCY, kv / (sla.getIsl() + sla.getOsl()));
            final int maxConc = Math.min(maxConcurrency, allowed);
            if (kv > 0 && maxConcurrency < allowed) {
                worker.noteSweepCap(e, kv, maxConcurrency, allowed);
            }
            final List<Integer> points = SweepPlans.numRequestRange(Math.max(1, e.mapping().getAttnDp()), maxConc,
                6, true);
            plan.put(e, points);
            total += points.size();
        }
        final Progress d = new Progress("decode sweep" + wave, total, out);
        for (final Endpoint e : decode) {
            for (final int n : plan.getOrDefault(e, List.of())) {
                stopIfAsked();
                worker.decodePoint(e, sla.getIsl(), sla.getOsl(), n, dev.slaprof.schema.avro.Sweep.SLA);
                d.step(Mappings.label(e.mapping()) + " at " + n + " in flight");
                reportFailures(BenchmarkWorker.pointName(e, sla.getIsl(), n));
            }
        }
    }

    /**
     * Starts the endpoint's engine if the gate must; an engine that cannot run (it failed to start) has its points
     * skipped, said once per sweep step.
     */
    private boolean ready(final Endpoint e, final String step) {
        if (gate.acquire(e)) {
            return true;
        }
        stopIfAsked();
        out.println("  " + step + ": " + Mappings.label(e.mapping()) + " skipped: its engine is not running (the "
            + "reason is in the warnings)");
        return false;
    }

    private static List<Endpoint> only(final List<Endpoint> eps, final Role role) {
        return eps.stream().filter(e -> e.role() == role).toList();
    }

    /**
     * Continuous profiling's extra round: re-measures the {@code k} buckets of this sweep's deployment whose
     * confidence intervals are widest ({@link FocusPlan}), each on an engine of its role and mapping, at its load
     * point. Buckets no engine here serves are skipped. Returns the number of points re-measured.
     */
    public int focus(final Iterable<MappingLoadStats> stats, final int k) {
        if (endpoints.isEmpty() || k <= 0) {
            return 0;
        }
        final List<FocusPlan.Target> targets = FocusPlan.widest(stats, endpoints.get(0).deployment(), k);
        int done = 0;
        for (final FocusPlan.Target t : targets) {
            final MappingLoadStats b = t.stats();
            final String label = Mappings.label(b.getMapping());
            Endpoint engine = null;
            for (final Endpoint e : endpoints(b.getRole())) {
                if (Mappings.label(e.mapping()).equals(label)) {
                    engine = e;
                }
            }
            if (engine == null || !ready(engine, "focus")) {
                continue;
            }
            final String width = Double.isInfinite(t.relativeWidth()) ? "one sample"
                : String.format(Locale.ROOT, "+-%.1f %%", 100 * t.relativeWidth());
            if (b.getRole() == Role.PREFILL) {
                worker.prefillPoint(engine, b.getIsl(), 3, b.getSweep());
                out.println("  focus: prefill " + label + " at ISL " + b.getIsl() + " (" + width + ")");
            } else {
                worker.decodePoint(engine, b.getIsl(), b.getOsl() > 0 ? b.getOsl() : sla.getOsl(), b.getInFlight(),
                    b.getSweep());
                out.println("  focus: decode " + label + " at " + b.getInFlight() + " in flight, ISL " + b.getIsl()
                    + " (" + width + ")");
            }
            done++;
        }
        return done;
    }

    /** The in-depth interpolation sweeps on the selected prefill and decode mappings. */
    public void interpolation(final Recommendation r, final int prefillGranularity, final int decodeGranularity) {
        if (r.getPrefill() != null && ready(find(Role.PREFILL, r.getPrefill().getPoint().getLabel()),
            "prefill interpolation")) {
            final String label = r.getPrefill().getPoint().getLabel();
            final Endpoint e = find(Role.PREFILL, label);
            final List<Integer> isls = SweepPlans.prefillIsls(spec.contextLength(), prefillGranularity);
            final Progress p = new Progress("prefill interpolation", isls.size(), out);
            for (final int isl : isls) {
                stopIfAsked();
                worker.prefillPoint(e, isl, 1, dev.slaprof.schema.avro.Sweep.INTERPOLATION);
                p.step(label + " at ISL " + isl);
            }
        }
        if (r.getDecode() != null && ready(find(Role.DECODE, r.getDecode().getPoint().getLabel()),
            "decode interpolation")) {
            final String label = r.getDecode().getPoint().getLabel();
            final Endpoint e = find(Role.DECODE, label);
            final long kv = capacity.getOrDefault(label, 0L);
            final List<int[]> points = new ArrayList<>();
            for (final int isl : SweepPlans.decodeIsls(spec.contextLength(), decodeGranularity)) {
                final int cmax = (int) Math.min(maxConcurrency, kv / (isl + SweepPlans.DECODE_INTERPOLATION_OSL));
                if (cmax == 0) {
                    out.println("  decode interpolation: no room for ISL " + isl + " in " + kv
                        + " KV tokens; larger ISLs skipped");
                    break;
                }
                for (final int n : SweepPlans.numRequestRange(Math.max(1, e.mapping().getAttnDp()), cmax,
                    decodeGranularity, true)) {
                    points.add(new int[] {isl, n});
                }
            }
            final Progress d = new Progress("decode interpolation", points.size(), out);
            for (final int[] pt : points) {
                stopIfAsked();
                worker.decodePoint(e, pt[0], SweepPlans.DECODE_INTERPOLATION_OSL, pt[1],
                    dev.slaprof.schema.avro.Sweep.INTERPOLATION);
                d.step(label + " ISL " + pt[0] + " x " + pt[1] + " in flight");
            }
        }
    }

    /**
     * Ends the sweep at the next point once the run is asked to stop (Ctrl-C interrupts its thread): the points
     * after it are not sent to engines that are being stopped.
     */
    private static void stopIfAsked() {
        // The flag is cleared here: the resources close after this in order (producers flush) instead of failing.
        if (Thread.interrupted()) {
            throw new CancellationException("stopped by a signal (Ctrl-C or SIGTERM) during the sweep; the engines "
                + "are stopped and the outputs hold the last complete recommendation");
        }
    }

    /**
     * A point with failed requests, or with prompts the engine counted over 1 % off the ISL, says so on the console
     * with the first case.
     */
    private void reportFailures(final String point) {
        final PointTally.Outcome o = worker.tally().point(point);
        if (o.failed() > 0 || o.offLength() > 0) {
            out.println("  " + point + ": " + o + (o.failedShare() > Recommender.FAILED_SHARE ? " -- FAILED" : ""));
        }
    }

    /**
     * Ends a sweep whose every measured request failed with an error naming the first failure; a sweep with some
     * failures goes on (the points over {@link Recommender#FAILED_SHARE} are named in the recommendation's warnings).
     */
    public void requireSomeSuccess() {
        final PointTally.Outcome t = worker.tally().total();
        if (t.ok() == 0 && t.failed() > 0) {
            throw new IllegalStateException("every one of the sweep's " + t.failed() + " measured requests failed; "
                + "the first: " + t.firstError());
        }
    }

    private Endpoint find(final Role role, final String label) {
        for (final Endpoint e : endpoints(role)) {
            if (Mappings.label(e.mapping()).equals(label)) {
                return e;
            }
        }
        throw new IllegalStateException("no " + role + " engine for " + label);
    }
}
