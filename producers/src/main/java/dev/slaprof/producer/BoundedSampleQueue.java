package dev.slaprof.producer;

import dev.slaprof.schema.avro.LatencySample;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Decouples user traffic from Kafka: {@link #accept} never blocks (a full queue drops the sample and counts it),
 * and one background thread hands queued samples to the publisher, which may block while the broker is away.
 */
public final class BoundedSampleQueue implements Consumer<LatencySample>, AutoCloseable {
    private final BlockingQueue<LatencySample> queue;
    private final Consumer<LatencySample> publisher;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong handed = new AtomicLong();
    private final Thread drainer;
    private volatile boolean running = true;

    public BoundedSampleQueue(final int capacity, final Consumer<LatencySample> publisher) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.publisher = publisher;
        this.drainer = new Thread(this::drain, "tap-sample-drainer");
        drainer.setDaemon(true);
        drainer.start();
    }

    @Override
    public void accept(final LatencySample s) {
        if (!queue.offer(s)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        while (running || !queue.isEmpty()) {
            try {
                final LatencySample s = queue.poll(100, TimeUnit.MILLISECONDS);
                if (s != null) {
                    publisher.accept(s);
                    handed.incrementAndGet();
                }
            } catch (final InterruptedException e) {
                return;
            } catch (final RuntimeException e) {
                // A publisher failure must not stop the tap; the sample is counted as dropped.
                dropped.incrementAndGet();
            }
        }
    }

    /** Samples dropped because the queue was full (or the publisher threw). */
    public long dropped() {
        return dropped.get();
    }

    /** Samples handed to the publisher. */
    public long handed() {
        return handed.get();
    }

    /** Samples waiting. */
    public int queued() {
        return queue.size();
    }

    @Override
    public void close() {
        running = false;
        drainer.interrupt();
    }
}
