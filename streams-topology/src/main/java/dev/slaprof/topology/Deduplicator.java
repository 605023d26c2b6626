package dev.slaprof.topology;

import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Drops a sample whose event id was already seen within the de-duplication window (record time +- window).
 * Producers retry and importers re-read files; the id (a UUID, or AIPerf's x_request_id) makes a second delivery
 * recognisable. Samples of one deployment share a partition, so a duplicate always meets its first copy here.
 * State: one window-store entry per sample for the window's length (changelogged, so it survives restarts).
 */
final class Deduplicator implements FixedKeyProcessor<Deployment, LatencySample, LatencySample> {
    private final Duration window;
    private FixedKeyProcessorContext<Deployment, LatencySample> context;
    private WindowStore<String, Long> seen;
    private org.apache.kafka.common.metrics.Sensor duplicates;

    Deduplicator(final Duration window) {
        this.window = window;
    }

    @Override
    public void init(final FixedKeyProcessorContext<Deployment, LatencySample> ctx) {
        this.context = ctx;
        this.seen = ctx.getStateStore(TopologyNames.DEDUP_STORE);
        this.duplicates = TopologyMetrics.sensor(ctx.metrics(), TopologyMetrics.DUPLICATES);
    }

    @Override
    public void process(final FixedKeyRecord<Deployment, LatencySample> r) {
        final String id = r.value().getEventId();
        final long ts = r.timestamp();
        try (WindowStoreIterator<Long> it = seen.fetch(id, Instant.ofEpochMilli(Math.max(0, ts - window.toMillis())),
            Instant.ofEpochMilli(ts + window.toMillis()))) {
            if (it.hasNext()) {
                duplicates.record();
                return;
            }
        }
        seen.put(id, ts, ts);
        context.forward(r);
    }
}
