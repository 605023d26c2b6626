package dev.slaprof.producer.trace;

import java.io.IOException;
import java.util.List;

/** Lines of a trace with the position after each: a followed file ({@link TraceTail}) or a gzip segment. */
public interface LineSource extends AutoCloseable {
    /** The complete lines available now, at most {@code max}; empty when there is nothing new. */
    List<TraceTail.Line> poll(int max) throws IOException;

    @Override
    void close() throws IOException;
}
