package dev.slaprof.profiler;

import dev.slaprof.dynamo.SafeNames;
import dev.slaprof.embedded.EmbeddedStack;
import dev.slaprof.embedded.RunPrincipal;
import dev.slaprof.http.HttpSurface;
import dev.slaprof.producer.BenchmarkWorker;
import dev.slaprof.producer.DynamoResultsImporter;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.producer.SweepPlans;
import dev.slaprof.schema.avro.CapacitySource;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.EngineCapacity;
import dev.slaprof.schema.avro.Mapping;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.ModelSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.InterruptException;

/**
 * One profiling run on one machine, as {@code slaprof run} makes it and as a test or a benchmark can make it without
 * an argv round trip: the embedded stack (guarded when asked), the topology and sinks started while the first sweep
 * runs, the engine fleet (virtual, HTTP or slaprof's local real engines), Dynamo's sweep, the interpolation sweeps on
 * the picks, the summary, and with {@code follow} the re-profiling rounds until the stop signal; or, with
 * {@code importDir}, the analysis of an existing Dynamo profiling results directory.
 */
public final class ProfilingRun {
    /**
     * What a run needs.
     *
     * @param catalog         models and GPUs, the run's model included; {@code model} is null for an import
     * @param engines         virtual, http or local
     * @param decodeCap       cap on a decode burst
     * @param localSettings   with {@code engines} local: devices, Python, timeouts (else null)
     * @param engineTemplates command templates replacing the bundled ones, or null
     * @param modelPath       what local engines load (a folder or an id)
     * @param stopSignal      opens on Ctrl-C or SIGTERM
     */
    public record Spec(Catalog catalog, ModelSpec model, String gpu, Deployment deployment, SlaTarget sla,
                       List<Mapping> mappings, String engines, int decodeCap, double jitter, long seed,
                       double timeScale, LocalEngineSettings localSettings, Path engineTemplates, String backend,
                       String modelPath, int prefillGranularity, int decodeGranularity, boolean follow,
                       Duration followInterval, int followRounds, int focus, Duration horizon, Path outputDir,
                       Pipeline.Http http, int gpusPerNode, boolean guarded, Path importDir, Mapping prefillMapping,
                       Mapping decodeMapping, CountDownLatch stopSignal) {
        /**
         * A one-shot run on virtual engines with no jitter, each point the performance model's own: what a benchmark
         * compares with a peer's estimate. Dynamo's defaults otherwise (granularities 16 and 6, 8 GPUs per node);
         * the web UI and REST API on a free loopback port.
         */
        public static Spec virtualEstimate(final Catalog catalog, final ModelSpec model, final String gpu,
                                           final Deployment deployment, final SlaTarget sla,
                                           final List<Mapping> mappings, final Path outputDir) {
            return new Spec(catalog, model, gpu, deployment, sla, mappings, "virtual",
                SweepPlans.DECODE_MAX_CONCURRENCY, 0, 100, 1, null, null,
                deployment.getBackend().name().toLowerCase(Locale.ROOT), model.name(), 16, 6, false,
                Duration.ofSeconds(60), 0, 0, null, outputDir, new Pipeline.Http("127.0.0.1", 0,
                    HttpSurface.Options.loopback()), 8, false, null, null, null, new CountDownLatch(1));
        }
    }

    private final Spec run;

    public ProfilingRun(final Spec spec) {
        this.run = spec;
    }

    /**
     * Runs to the end (or, following, until the stop signal); {@code t0} is when the command started. Returns the
     * complete recommendation of the first sweep and its interpolation sweeps (of the import).
     */
    public Recommendation run(final PrintStream out, final long t0) throws Exception {
        final SlaTarget sla = run.sla();
        final Deployment deployment = run.deployment();
        try (EmbeddedStack env = EmbeddedStack.start(out, run.guarded());
             SamplePublisher publisher = new SamplePublisher(env.client(RunPrincipal.PRODUCER), env.topics());
             Pipeline.Starting starting = Pipeline.startInBackground(Pipeline.Clients.of(env), env.topics(), sla,
                 run.outputDir(),
                 deployment, run.http(), run.gpusPerNode(), run.horizon())) {
            // The topology and the sinks start while the first sweep runs: the samples wait in Kafka meanwhile.
            final Supplier<Pipeline> pipeline = () -> {
                final Pipeline p = starting.await();
                if (starting.announce()) {
                    p.publishSla(sla);
                    out.println("slaprof: web UI " + p.apiUrl() + "/  (live; REST API " + p.apiUrl()
                        + "/api/recommendations)");
                }
                return p;
            };
            return run.importDir() != null ? importResults(out, pipeline.get(), publisher, deployment, t0)
                : simulate(out, pipeline, publisher, t0);
        }
    }

    private Recommendation simulate(final PrintStream out, final Supplier<Pipeline> starting,
                                    final SamplePublisher publisher, final long t0) throws Exception {
        final ModelSpec spec = run.model();
        final List<Mapping> mappings = run.mappings();
        final Deployment deployment = run.deployment();
        final SlaTarget sla = run.sla();
        final EngineFleet.Kind kind = EngineFleet.Kind.parse(run.engines());
        final int cap = run.decodeCap();
        try (EngineFleet fleet = kind == EngineFleet.Kind.LOCAL ? startLocal(out, mappings, deployment, sla)
                 : EngineFleet.start(kind, run.catalog(), spec.name(), run.gpu(), mappings, deployment, run.jitter(),
                     run.seed(), run.timeScale());
             BenchmarkWorker worker = new BenchmarkWorker(fleet.driver(), publisher, "slaprof-run", run.seed())) {
            out.println("slaprof: " + fleet.description());
            if (kind == EngineFleet.Kind.LOCAL && !run.follow()) {
                stopOnSignal("slaprof-run-stop");
            }
            if (cap < SweepPlans.DECODE_MAX_CONCURRENCY) {
                out.println("slaprof: warning: decode bursts capped at " + cap + " in flight (Dynamo sweeps up to "
                    + SweepPlans.DECODE_MAX_CONCURRENCY + "); the decode table stops there");
            }
            final Sweep sweep = new Sweep(worker, fleet.endpoints(), sla, spec, out, cap).gatedBy(fleet.gate());
            sweep.parallelizationSweep();
            publisher.flush();
            sweep.requireSomeSuccess();
            final Pipeline pipeline = starting.get();
            publishRunNotes(fleet, out, pipeline, sla);
            final Recommendation first = pipeline.awaitSamples(publisher.profilingOk(), Duration.ofSeconds(60));
            out.printf(Locale.ROOT, "slaprof: first complete recommendation after %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
            sweep.interpolation(first, run.prefillGranularity(), run.decodeGranularity());
            publisher.flush();
            publishRunNotes(fleet, out, pipeline, sla);
            final Recommendation fin = pipeline.awaitSamples(publisher.profilingOk(), Duration.ofSeconds(60));
            Summary.full(out, fin, pipeline.outputFolder(fin), publisher.sent(), (System.nanoTime() - t0) / 1e9);
            if (kind == EngineFleet.Kind.HTTP) {
                out.println("slaprof: " + worker.errors().summary());
            }
            if (kind != EngineFleet.Kind.VIRTUAL) {
                out.println("slaprof: " + worker.tally().promptLengths());
            }
            if (run.follow()) {
                // The first sweep was judged by Dynamo's rule alone; between rounds, picks are held against noise.
                pipeline.publishSla(SlaTarget.newBuilder(sla).setHoldPicks(true).build());
                out.println("slaprof: continuous profiling: a pick is kept until a rival beats it beyond both 95 % "
                    + "intervals (hold_picks)");
                follow(out, sweep, pipeline, publisher, round -> {
                    final long roundSeed = run.seed() + round;
                    worker.reseed(roundSeed);
                    if (fleet.reseed(roundSeed)) {
                        out.println("slaprof: round " + round + " (round seed " + roundSeed + ")");
                    }
                });
            } else {
                out.println("slaprof: web UI was " + pipeline.apiUrl() + "/ (stopping now; add --follow to keep it "
                    + "and re-profile)");
            }
            return fin;
        }
    }

    /**
     * Starts the backend's real servers for the candidates (--engines local); the failed ones are left out, named
     * in the recommendation's warnings with their log tails.
     */
    private EngineFleet startLocal(final PrintStream out, final List<Mapping> mappings, final Deployment deployment,
                                   final SlaTarget sla) throws IOException, InterruptedException {
        final LocalEngines started = LocalEngines.start(EngineTemplates.of(run.backend().toLowerCase(Locale.ROOT),
            run.engineTemplates()), run.localSettings(), run.modelPath(), deployment.getModel(), mappings,
            run.outputDir().resolve("engine-logs")
            .resolve(SafeNames.deployment(deployment)), out);
        return EngineFleet.local(started, deployment, out);
    }

    /** The failed engine candidates of a local fleet, in the recommendation's warnings (a new SLA record). */
    private static void publishRunNotes(final EngineFleet fleet, final PrintStream out, final Pipeline pipeline,
                                        final SlaTarget sla) {
        final LocalEngines local = fleet.localEngines();
        if (local == null) {
            return;
        }
        local.checkAlive();
        if (!local.notes().isEmpty()) {
            pipeline.publishSla(SlaTarget.newBuilder(sla).setRunNotes(new ArrayList<>(local.notes())).build());
        }
    }

    /**
     * With real engines, Ctrl-C or SIGTERM interrupts the run's thread, so the sweep stops at its next point instead
     * of sending every remaining request to engines the shutdown is stopping.
     */
    private CountDownLatch stopOnSignal(final String name) {
        final CountDownLatch stop = run.stopSignal();
        final Thread main = Thread.currentThread();
        final Thread watcher = new Thread(() -> {
            try {
                stop.await();
                main.interrupt();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        watcher.setDaemon(true);
        watcher.start();
        return stop;
    }

    /** Re-runs the parallelization sweep every {@code --follow-interval} until Ctrl-C, printing the new picks. */
    private void follow(final PrintStream out, final Sweep sweep, final Pipeline pipeline,
                        final SamplePublisher publisher, final IntConsumer startRound)
        throws InterruptedException {
        // Ctrl-C or SIGTERM interrupts whatever the round is waiting on; the outputs of the last complete
        // recommendation stay in place (every folder is replaced atomically) and the resources close in order.
        final CountDownLatch stop = stopOnSignal("slaprof-follow-stop");
        out.println("slaprof: following: re-profiling every " + run.followInterval().toSeconds() + " s; web UI "
            + pipeline.apiUrl() + "/ (Ctrl-C to stop)");
        int round = 0;
        try {
            // The pause between re-profiling rounds is the user's --follow-interval.
            while ((run.followRounds() == 0 || round < run.followRounds())
                && !stop.await(run.followInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                startRound.accept(++round);
                sweep.parallelizationSweep();
                publisher.flush();
                // The focus round is planned on the statistics of every sample sent so far, never on whichever
                // part of them the topology had processed by then: equal seeds re-measure the same buckets.
                final Recommendation measured = pipeline.awaitSamples(publisher.profilingOk(), Duration.ofSeconds(60));
                sweep.focus(pipeline.statsOf(measured, Duration.ofSeconds(60)), run.focus());
                publisher.flush();
                Summary.picks(out, pipeline.awaitSamples(publisher.profilingOk(), Duration.ofSeconds(60)));
            }
        } catch (final InterruptedException | InterruptException e) {
            // Asked to stop in the middle of a round.
        } finally {
            // Clear a pending interrupt so the clean close below (Streams, producers, broker) is not cut short.
            Thread.interrupted();
        }
        out.println("slaprof: stopping (outputs of the last complete recommendation kept)");
    }

    private Recommendation importResults(final PrintStream out, final Pipeline pipeline,
                                         final SamplePublisher publisher, final Deployment deployment, final long t0)
        throws Exception {
        out.println("slaprof: importing Dynamo profiling results from " + run.importDir());
        final DynamoResultsImporter.Result r = DynamoResultsImporter.importDirectory(run.importDir(), deployment,
            run.prefillMapping(), run.decodeMapping(), publisher::publish);
        r.skipped().forEach(s -> out.println("slaprof: skipped " + s));
        r.rejected().forEach(s -> out.println("slaprof: rejected " + s));
        for (final DynamoResultsImporter.Capacity c : r.capacities()) {
            final String where = run.importDir().relativize(c.folder()).toString();
            if (!c.finding().found()) {
                out.println("slaprof: KV capacity of " + where + ": " + c.finding().describe()
                    + " (its decode table is written only with a capacity)");
                continue;
            }
            final long tokens = c.finding().tokensPerRank().getAsLong() * Math.max(1, c.mapping().getAttnDp());
            out.println("slaprof: KV capacity of " + where + " from " + c.log().getFileName() + ": "
                + c.finding().describe());
            publisher.publish(EngineCapacity.newBuilder().setDeployment(deployment)
                .setMapping(c.mapping()).setMaxKvTokens(tokens).setSource(CapacitySource.LOG)
                .setDetail(run.importDir().relativize(c.log()) + ": " + c.finding().rule() + ": "
                    + c.finding().evidence() + " x attn_dp " + c.mapping().getAttnDp())
                .setObservedAtUs(System.currentTimeMillis() * 1000).build());
        }
        if (r.imported() == 0) {
            throw new IllegalArgumentException("no per-request samples found under " + run.importDir());
        }
        publisher.flush();
        final Recommendation fin = pipeline.awaitSamples(publisher.profilingOk(), Duration.ofSeconds(60));
        Summary.full(out, fin, pipeline.outputFolder(fin), publisher.sent(), (System.nanoTime() - t0) / 1e9);
        return fin;
    }
}
