package dev.slaprof.topology;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops every slaprof Streams application the same way: an uncaught exception in a stream thread is
 * logged with its cause and shuts the client down (an exactly-once task that threw cannot be trusted to go on), a
 * state listener turns ERROR into a failure the caller sees, and close leaves the consumer group, so the remaining
 * instances take the partitions over at once instead of after the session timeout.
 */
public final class StreamsRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);
    /** How long close waits for the threads to commit and leave. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** The application stopped on its own: its state reached ERROR, with the exception that got it there. */
    public static final class StreamsFailedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        StreamsFailedException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    private final KafkaStreams streams;
    private final AtomicReference<Throwable> cause = new AtomicReference<>();
    private final CountDownLatch failed = new CountDownLatch(1);

    private StreamsRunner(final Topology topology, final Properties props) {
        this.streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(e -> {
            cause.compareAndSet(null, e);
            LOG.error("stream thread died: {}", describe(e), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) {
                LOG.error("Streams application {} reached ERROR (from {})", props.getProperty("application.id"),
                    before);
                failed.countDown();
            }
        });
    }

    /** Builds the application and starts it. */
    public static StreamsRunner start(final Topology topology, final Properties props) {
        final StreamsRunner r = new StreamsRunner(topology, props);
        r.streams.start();
        return r;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Throws {@link StreamsFailedException} naming the cause once the application has failed; else returns. */
    public void checkHealthy() {
        if (failed.getCount() == 0 || streams.state() == KafkaStreams.State.ERROR) {
            throw failure();
        }
    }

    /**
     * Waits until {@code stop} opens (a shutdown was asked for) or the application fails, whichever comes first.
     *
     * @throws StreamsFailedException when the application failed
     */
    public void awaitStopOrFailure(final CountDownLatch stop) throws InterruptedException {
        while (!stop.await(100, TimeUnit.MILLISECONDS)) {
            if (failed.await(0, TimeUnit.MILLISECONDS)) {
                throw failure();
            }
        }
    }

    private StreamsFailedException failure() {
        final Throwable t = cause.get();
        return new StreamsFailedException("the Streams topology stopped: " + (t == null ? "state ERROR"
            : describe(t)), t);
    }

    /** The innermost cause's class and message: what a user needs to read first. */
    static String describe(final Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String outer = t.getClass().getSimpleName() + ": " + t.getMessage();
        return root == t ? outer : outer + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage()
            + ")";
    }

    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(CLOSE_TIMEOUT));
    }
}
