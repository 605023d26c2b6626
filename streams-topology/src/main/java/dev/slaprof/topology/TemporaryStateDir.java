package dev.slaprof.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A Streams state directory under the system's temporary folder that is deleted, with the stores in it, when it is
 * closed: for an application whose state need not outlive the process (a run's random application id, or a stream
 * instance given no {@code --state-dir}, which restores from the changelogs when it starts again). Close it after the
 * application has closed.
 */
public final class TemporaryStateDir implements AutoCloseable {
    private final Path path;

    private TemporaryStateDir(final Path path) {
        this.path = path;
    }

    /** A new, empty directory named {@code slaprof-state-...}. */
    public static TemporaryStateDir create() {
        try {
            return new TemporaryStateDir(Files.createTempDirectory("slaprof-state-"));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create a state directory in " + System.getProperty("java.io.tmpdir"),
                e);
        }
    }

    public Path path() {
        return path;
    }

    /** Deletes the directory and everything in it; a file that cannot be deleted is left, with the rest gone. */
    @Override
    public void close() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException | UncheckedIOException e) {
            // Best effort: a leftover temporary folder is the operating system's to clean.
        }
    }
}
