package dev.slaprof.producer.trace;

import dev.slaprof.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * {@code slaprof import-trace}'s work: each trace file imported exactly once ({@link TraceImporter}) from where its
 * last run committed, a {@code .jsonl.gz} segment read once and a {@code .jsonl} file tailed across rotations when
 * following. Progress and each file's counts go to {@code out}.
 *
 * @param client       the producers' client properties
 * @param topics       slaprof's topics
 * @param checkpointId names each file's committed position (null: its absolute path); several files get
 *                     {@code id:file-name}
 * @param pollMs       with follow: the pause when the file has nothing new
 */
public record TraceFiles(Properties client, Topics topics, String checkpointId, long pollMs) {
    /** Imports {@code files}; with {@code follow} (one {@code .jsonl} file), until {@code stop}. Returns dead letters. */
    public long importAll(final List<Path> files, final TraceRecord.Context ctx, final boolean follow,
                          final BooleanSupplier stop, final PrintStream out) throws IOException, InterruptedException {
        if (follow && (files.size() != 1 || files.get(0).toString().endsWith(".gz"))) {
            throw new IllegalArgumentException("--follow takes one .jsonl file (a gzip segment is read once it is "
                + "finished, without --follow)");
        }
        for (final Path f : files) {
            if (!follow && !Files.isRegularFile(f)) {
                throw new IllegalArgumentException("cannot read " + f + ": no such file");
            }
        }
        long failures = 0;
        for (final Path f : files) {
            final String id = checkpointId != null ? checkpointId + (files.size() > 1 ? ":" + f.getFileName() : "")
                : f.toAbsolutePath().normalize().toString();
            try (TraceImporter importer = new TraceImporter(client, topics, id)) {
                final TraceTail.Position resume = importer.committed();
                if (resume != null) {
                    out.println("slaprof: " + f + ": resuming after " + importer.counts().lines() + " lines ("
                        + resume.file() + ", byte or line " + resume.offset() + ")");
                }
                try (LineSource source = f.toString().endsWith(".gz") ? new GzipLines(f, resume)
                    : new TraceTail(f, resume, n -> out.println("slaprof: " + n))) {
                    final TraceImporter.Counts c = importer.run(source, ctx, follow, stop, pollMs,
                        p -> out.println("slaprof: " + f + ": " + p));
                    out.println("slaprof: " + f + ": " + c);
                    failures += c.deadLetters();
                }
            }
        }
        return failures;
    }
}
