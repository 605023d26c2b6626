package dev.slaprof.bench;

import dev.slaprof.producer.BoundedSampleQueue;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.Measurement;
import dev.slaprof.producer.StreamingClient;
import dev.slaprof.producer.TapProxy;
import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Backend;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.Role;
import dev.slaprof.simulator.Catalog;
import dev.slaprof.simulator.EngineServer;
import dev.slaprof.simulator.Faults;
import dev.slaprof.simulator.PerfModel;
import dev.slaprof.simulator.SimEngine;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The HTTP side on one machine ({@code slaprof bench-http}). (1) Simulator capacity: {@code simStreams} concurrent
 * decode streams against one simulated engine in real time, measured ITL against the model's schedule. (2) Tap
 * overhead: {@code tapStreams} streams kept in flight through the live tap and direct; the latency the tap adds,
 * measured inside it, plus the clients' TTFT and end-to-end percentiles side by side.
 *
 * @param simStreams concurrent streams of the capacity run
 * @param tapStreams concurrent streams of the tap run
 * @param rounds     requests per stream in the tap run
 * @param osl        output tokens per request
 */
public record HttpBench(int simStreams, int tapStreams, int rounds, int osl) {
    /** Runs both measurements, printing their lines to {@code out}. */
    public void run(final PrintStream out) throws Exception {
        final Catalog catalog = Catalog.bundled();
        final PerfModel model = new PerfModel(catalog.model("Qwen/Qwen3-32B"), catalog.gpu("H200-SXM"),
            catalog.params(catalog.gpu("H200-SXM")), Mappings.tp(8));
        try (EngineServer engine = new EngineServer(new SimEngine(model, 1.0, true, 0.0, 1), "Qwen/Qwen3-32B",
            Faults.NONE, "127.0.0.1", 0)) {
            final StreamingClient client = StreamingClient.create(Duration.ofMinutes(5), 1.0);
            burst(client, engine.url(), 32, 100);
            final double[] before = engine.engine().metrics().scheduledItl();
            final List<Measurement> cap = burst(client, engine.url(), simStreams, 100);
            final double[] after = engine.engine().metrics().scheduledItl();
            final double scheduled = (after[0] - before[0]) / Math.max(1, after[1] - before[1]);
            double expected = 0;
            for (int k = 1; k < osl; k++) {
                expected += model.decodeStepMs(simStreams, (long) simStreams * (100 + k)) / (osl - 1);
            }
            final double[] itls = cap.stream().filter(Measurement::ok).mapToDouble(Measurement::itlMs).sorted()
                .toArray();
            final double measured = Arrays.stream(itls).average().orElse(Double.NaN);
            final double median = itls.length == 0 ? Double.NaN : itls[(itls.length - 1) / 2];
            out.printf(Locale.ROOT, "bench-http: simulator, %d concurrent streams: measured ITL mean %.2f ms (%+.1f %%), "
                + "median %.2f ms (%+.1f %%), min %.2f, max %.2f; model %.2f ms; %d ok%n", simStreams, measured,
                (measured / expected - 1) * 100, median, (median / expected - 1) * 100, itls[0], itls[itls.length - 1],
                expected, itls.length);
            out.printf(Locale.ROOT, "bench-http: simulator, %d concurrent streams: the engine's own schedule (the model "
                + "for the batches it actually ran, prefill interleaving included) gave ITL mean %.2f ms; measured over "
                + "HTTP %.2f ms (%+.1f %%)%n", simStreams, scheduled, measured, (measured / scheduled - 1) * 100);

            final AtomicLong handed = new AtomicLong();
            final Endpoint labels = new Endpoint(engine.url(), new Deployment("Qwen/Qwen3-32B", Backend.VLLM, "",
                "H200-SXM", "bench"), Role.DECODE, Mappings.tp(8), true);
            try (BoundedSampleQueue queue = new BoundedSampleQueue(100_000, s -> handed.incrementAndGet());
                 TapProxy tap = new TapProxy(engine.url(), labels, queue, "127.0.0.1", 0)) {
                burst(client, tap.url(), 32, 100);
                tap.overhead();
                final List<Measurement> direct = new ArrayList<>();
                final List<Measurement> viaTap = new ArrayList<>();
                direct.addAll(sustained(client, engine.url(), tapStreams, rounds));
                tap.overhead();
                viaTap.addAll(sustained(client, tap.url(), tapStreams, rounds));
                report(out, "direct", direct);
                report(out, "via tap", viaTap);
                final double[] d = pcts(direct, true);
                final double[] t = pcts(viaTap, true);
                out.printf(Locale.ROOT, "bench-http: end-to-end TTFT difference via tap at %d streams (noisy: client, "
                    + "engine and tap share 2 cores): p50 %+.2f ms, p99 %+.2f ms; samples handed %d, dropped %d%n",
                    tapStreams, t[0] - d[0], t[1] - d[1], handed.get(), queue.dropped());
                final TapProxy.Overhead o = tap.overhead();
                out.printf(Locale.ROOT, "bench-http: latency added inside the tap at %d streams: request arrival to "
                    + "upstream send p50 %.3f p99 %.3f max %.3f ms (%d requests); engine read to client flush p50 %.3f "
                    + "p99 %.3f max %.3f ms (%d reads)%n", tapStreams, o.request().getValueAtPercentile(50) / 1000.0,
                    o.request().getValueAtPercentile(99) / 1000.0, o.request().getMaxValue() / 1000.0,
                    o.request().getTotalCount(), o.relay().getValueAtPercentile(50) / 1000.0,
                    o.relay().getValueAtPercentile(99) / 1000.0, o.relay().getMaxValue() / 1000.0,
                    o.relay().getTotalCount());
            }
        }
    }

    private static void report(final PrintStream out, final String name, final List<Measurement> ms) {
        final double[] ttft = pcts(ms, true);
        final double[] lat = pcts(ms, false);
        final Map<String, Long> errors = new TreeMap<>();
        ms.stream().filter(m -> !m.ok()).forEach(m -> errors.merge(m.errorType() + ": " + m.errorMessage(), 1L,
            Long::sum));
        errors.forEach((k, v) -> out.printf(Locale.ROOT, "bench-http: %-8s failed %d x %s%n", name, v, k));
        out.printf(Locale.ROOT, "bench-http: %-8s %d requests (%d ok): TTFT p50 %.2f p99 %.2f ms; latency p50 %.2f "
            + "p99 %.2f ms%n", name, ms.size(), ms.stream().filter(Measurement::ok).count(), ttft[0], ttft[1], lat[0],
            lat[1]);
    }

    private static double[] pcts(final List<Measurement> ms, final boolean ttft) {
        final double[] v = ms.stream().filter(Measurement::ok).mapToDouble(m -> ttft ? m.ttftMs() : m.latencyMs())
            .sorted().toArray();
        if (v.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {v[(int) Math.floor(0.5 * (v.length - 1))], v[(int) Math.floor(0.99 * (v.length - 1))]};
    }

    /**
     * {@code n} streams kept in flight: each of {@code n} client threads sends {@code rounds} requests back to back,
     * the threads starting over one second (2 ms apart for 500), so the engine (or the tap) serves about {@code n}
     * concurrent streams with arrivals spread as steady traffic has them, not one simultaneous wave.
     */
    private List<Measurement> sustained(final StreamingClient client, final String url, final int n, final int rounds)
        throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            final List<Future<List<Measurement>>> fs = new ArrayList<>();
            final String prompt = "w ".repeat(100);
            final long spacingNs = 1_000_000_000L / Math.max(1, n);
            final long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                final String p = prompt + i;
                final long startAt = t0 + i * spacingNs;
                fs.add(pool.submit(() -> {
                    LockSupport.parkNanos(startAt - System.nanoTime());
                    final List<Measurement> mine = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        mine.add(client.measure(url, "/v1/chat/completions", StreamingClient.chatBody("m", p + "-" + r,
                            osl), 100, Map.of()));
                    }
                    return mine;
                }));
            }
            final List<Measurement> out = new ArrayList<>();
            for (final Future<List<Measurement>> f : fs) {
                out.addAll(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Measurement> burst(final StreamingClient client, final String url, final int n, final int isl)
        throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            final List<Future<Measurement>> fs = new ArrayList<>();
            final String prompt = "w ".repeat(isl);
            // All threads start together, so the burst reaches the engine as one arrival wave (as a load generator's
            // concurrency burst does), not staggered by thread start-up.
            final CountDownLatch ready = new CountDownLatch(n);
            final CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < n; i++) {
                final String p = prompt + i;
                fs.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return client.measure(url, "/v1/chat/completions", StreamingClient.chatBody("m", p, osl), isl,
                        Map.of());
                }));
            }
            ready.await();
            go.countDown();
            final List<Measurement> out = new ArrayList<>();
            for (final Future<Measurement> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
