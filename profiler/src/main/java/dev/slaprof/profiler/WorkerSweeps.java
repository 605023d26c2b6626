package dev.slaprof.profiler;

import dev.slaprof.producer.BenchmarkWorker;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.HttpLoadDriver;
import dev.slaprof.producer.LoadDriver;
import dev.slaprof.producer.SamplePublisher;
import dev.slaprof.producer.StreamingClient;
import dev.slaprof.schema.SlaTargets;
import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.MappingLoadStats;
import dev.slaprof.schema.avro.SlaTarget;
import dev.slaprof.schema.avro.Statistic;
import dev.slaprof.schema.avro.StatsKey;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sweeps of {@code slaprof worker} against a cluster: Dynamo's parallelization sweep of the endpoints, every
 * request published; following, again every {@code interval}, each round followed by a focus round on the buckets
 * whose intervals the cluster's statistics topic shows widest.
 *
 * @param endpoints      the engines, by role and mapping
 * @param known          KV capacities given by the user or read from engine logs, by mapping label
 * @param gate           what starts an engine of a later GPU wave before its points ({@link EngineGate#OPEN}: none)
 * @param isl            the sweep's ISL
 * @param osl            the decode sweep's OSL
 * @param maxConcurrency the cap on a decode burst
 * @param interval       the pause between sweeps; null: one sweep
 * @param focus          buckets re-measured after each following sweep (0 = none)
 */
public record WorkerSweeps(List<Endpoint> endpoints, Map<String, LoadDriver.Capacity> known, EngineGate gate,
                           int isl, int osl, int maxConcurrency, Duration interval, int focus) {
    /**
     * Sweendpoints until done (or, following, until {@code stop} opens), publishing every request to {@code topics} on
     * the cluster of {@code client}.
     */
    public void run(final Properties client, final Topics topics, final Deployment deployment,
                    final CountDownLatch stop, final PrintStream out) throws Exception {
        final boolean follow = interval != null;
        final SlaTarget sla = SlaTargets.of("default", 1.0, 1.0, isl, osl, Statistic.MEAN, 1, 1024, 1, false);
        try (SamplePublisher publisher = new SamplePublisher(client, topics);
             BenchmarkWorker worker = new BenchmarkWorker(new HttpLoadDriver(
                 StreamingClient.create(Duration.ofMinutes(30), 1.0), known), publisher,
                 "worker-" + UUID.randomUUID(), System.nanoTime());
             CompactedTopicReader<StatsKey, MappingLoadStats> stats = follow && focus > 0
                 ? new CompactedTopicReader<>(client, topics.stats().name(), topics.stats().keySerde().deserializer(),
                     topics.stats().valueSerde().deserializer())
                 : null) {
            do {
                final Sweep sweep = new Sweep(worker, endpoints, sla, null, out, maxConcurrency).gatedBy(gate);
                sweep.parallelizationSweep();
                // The failed samples are in Kafka already (as errors); a sweep with no success at all ends here.
                publisher.flush();
                sweep.requireSomeSuccess();
                if (stats != null) {
                    publisher.flush();
                    awaitCounted(stats, deployment, publisher.profilingOk(), Duration.ofSeconds(30));
                    sweep.focus(stats.all().values(), focus);
                }
                publisher.flush();
                out.println("slaprof: sweep done, " + publisher.sent() + " samples published; measured "
                    + "requests: " + worker.tally().total());
                // With --follow: the next sweep after the interval, unless Ctrl-C comes first.
            } while (follow && !stop.await(interval.toNanos(), TimeUnit.NANOSECONDS));
        }
    }

    /**
     * Waits (at most {@code timeout}) until the statistics topic counts {@code published} successful samples for the
     * deployment, so a focus round ranks this sweep's results; a topology that lags or is down only costs the wait.
     */
    static void awaitCounted(final CompactedTopicReader<StatsKey,
        MappingLoadStats> stats, final Deployment d,
                             final long published, final Duration timeout) throws InterruptedException {
        stats.awaitUntil(all -> all.values().stream().filter(s -> s.getDeployment().equals(d))
            .mapToLong(MappingLoadStats::getOkCount).sum() >= published, timeout);
    }
}
