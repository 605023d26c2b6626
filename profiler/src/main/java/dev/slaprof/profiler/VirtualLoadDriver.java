package dev.slaprof.profiler;

import dev.slaprof.producer.CapacityDiscovery;
import dev.slaprof.producer.Endpoint;
import dev.slaprof.producer.LoadDriver;
import dev.slaprof.producer.Measurement;
import dev.slaprof.schema.Mappings;
import dev.slaprof.simulator.SimRequest;
import dev.slaprof.simulator.VirtualEngine;
import dev.slaprof.simulator.VirtualFleet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The benchmark worker's requests sent to a {@link VirtualFleet}: a simulated client with no network, measuring
 * each request as the HTTP client does (TTFT to the first content token, ITL = (last - first) / (tokens - 1), the
 * tokens the engine produced as the usage count), on the engine's virtual clock. So every measurement is the
 * performance model's own number for the batches the scheduler ran, and the same seed gives the same numbers.
 * Event times are the wall clock at the start of each burst plus the burst's virtual time.
 */
public final class VirtualLoadDriver implements LoadDriver {
    private final VirtualFleet fleet;

    public VirtualLoadDriver(final VirtualFleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public void burst(final Endpoint e, final int isl, final int osl, final List<Long> prompts, final int concurrency,
                      final Consumer<Measurement> sink) {
        final VirtualEngine engine = fleet.find(e.url()).engine();
        final List<VirtualEngine.RequestSpec> specs = new ArrayList<>(prompts.size());
        for (final long id : prompts) {
            // The HTTP engine hashes the prompt text with its length; an id stands for that text here.
            specs.add(new VirtualEngine.RequestSpec(isl, osl, id * 31L + isl));
        }
        final long anchorUs = System.currentTimeMillis() * 1000;
        final double t0 = engine.nowMs();
        final double frontendMs = engine.model().params().requestOverheadMs();
        for (final SimRequest r : engine.burst(specs, concurrency)) {
            sink.accept(measure(r, frontendMs, anchorUs, t0));
        }
    }

    /**
     * The measurement of one finished request, as the HTTP client would have taken it with no network delay: its
     * TTFT and latency hold the frontend's {@code frontendMs} (the performance model's {@code request_overhead_ms},
     * outside the engine's steps), as the accuracy replay's client TTFT does.
     */
    public static Measurement measure(final SimRequest r, final double frontendMs, final long anchorUs,
                                      final double t0Ms) {
        final long startUs = anchorUs + Math.round((r.arrivalMs() - t0Ms) * 1000);
        final int tokens = r.produced();
        if (r.error() != null || tokens == 0) {
            return new Measurement(false, false, 500, "EngineError", r.error() == null ? "no token" : r.error(),
                null, null, null, r.isl(), 0, startUs, startUs);
        }
        final double ttft = r.scheduledTtftMs() + frontendMs;
        final Double itl = tokens >= 2 ? r.scheduledItlMs() : null;
        final double latencyMs = r.lastTokenMs() - r.arrivalMs() + frontendMs;
        return new Measurement(true, false, 200, null, null, ttft, itl, latencyMs, r.isl(), tokens, startUs,
            startUs + Math.round(latencyMs * 1000), ttft, itl);
    }

    @Override
    public Capacity kvCapacityPerRank(final Endpoint e) {
        final VirtualFleet.Engine engine = fleet.find(e.url());
        // Read through the same /metrics text and parser as a real engine's, not from the model directly.
        final CapacityDiscovery.Finding f = CapacityDiscovery.readMetrics(engine.engine().metrics()
            .render(engine.engine(), engine.model()));
        if (engine.engine().model().kvTokensPerRank() <= 0) {
            return Capacity.unknown("the weights of " + engine.model() + " leave no KV-cache room on "
                + engine.gpu() + " with " + e.mapping().getGpus() + " GPU(s) as " + Mappings.label(e.mapping()));
        }
        return f.found() ? new Capacity(f.tokensPerRank(), f.rule() + " of " + e.url())
            : Capacity.unknown(f.evidence() + " (" + e.url() + ")");
    }
}
