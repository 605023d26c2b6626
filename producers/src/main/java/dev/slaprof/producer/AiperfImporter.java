package dev.slaprof.producer;

import dev.slaprof.schema.avro.LatencySample;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads AIPerf per-request exports line by line; every malformed line is reported with its number and reason,
 * never dropped silently. A follow mode tails a growing file.
 */
public final class AiperfImporter {
    /**
     * Outcome of an import.
     *
     * @param ignored the keys of the imported records that slaprof does not read, with how many records had each
     *                (AIPerf's {@code trace_data}, {@code http_req_*} metrics, newer metadata)
     */
    public record Result(long imported, List<String> rejected, Map<String, Long> ignored) {
        /** The ignored keys, most frequent first, for a report line. */
        public String ignoredSummary() {
            return ignored.isEmpty() ? "no keys ignored" : ignored.size() + " keys ignored: " + ignored.entrySet()
                .stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(
                    Map.Entry.comparingByKey())).limit(12).map(e -> e.getKey() + " x" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", ")) + (ignored.size() > 12 ? ", ..." : "");
        }
    }

    private AiperfImporter() {
    }

    /** Imports a whole file, handing each sample to {@code sink}. */
    public static Result importFile(final Path file, final AiperfRecord.Context context,
                                    final Consumer<LatencySample> sink) throws IOException {
        long imported = 0;
        final List<String> rejected = new ArrayList<>();
        final Map<String, Long> ignored = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (accept(line, number, file, context, sink, rejected)) {
                    imported++;
                    AiperfRecord.ignoredKeys(line).forEach(k -> ignored.merge(k, 1L, Long::sum));
                }
            }
        }
        return new Result(imported, rejected, ignored);
    }

    /**
     * Tails {@code file} until {@code stop} says so: reads complete lines as they are appended, polling every
     * {@code pollMs}. A partial last line waits for its newline.
     */
    public static Result follow(final Path file, final AiperfRecord.Context context,
                                final Consumer<LatencySample> sink, final BooleanSupplier stop, final long pollMs)
        throws IOException, InterruptedException {
        long imported = 0;
        final List<String> rejected = new ArrayList<>();
        final Map<String, Long> ignored = new TreeMap<>();
        long offset = 0;
        int number = 0;
        final StringBuilder partial = new StringBuilder();
        while (!stop.getAsBoolean()) {
            final long size = Files.exists(file) ? Files.size(file) : 0;
            if (size > offset) {
                try (var ch = Files.newByteChannel(file)) {
                    ch.position(offset);
                    final ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - offset, 1 << 20));
                    offset += ch.read(buf);
                    partial.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
                }
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    number++;
                    if (accept(partial.substring(0, nl), number, file, context, sink, rejected)) {
                        imported++;
                        AiperfRecord.ignoredKeys(partial.substring(0, nl)).forEach(k -> ignored.merge(k, 1L,
                            Long::sum));
                    }
                    partial.delete(0, nl + 1);
                }
            } else {
                // Nothing new yet: this is a tail, so it waits for the writer by polling.
                Thread.sleep(pollMs);
            }
        }
        return new Result(imported, rejected, ignored);
    }

    private static boolean accept(final String line, final int number, final Path file,
                                  final AiperfRecord.Context context, final Consumer<LatencySample> sink,
                                  final List<String> rejected) {
        if (line.isBlank()) {
            return false;
        }
        try {
            sink.accept(AiperfRecord.parse(line, context, file.toAbsolutePath() + ":" + number));
            return true;
        } catch (final IllegalArgumentException e) {
            rejected.add(file.getFileName() + ":" + number + ": " + e.getMessage());
            return false;
        }
    }
}
