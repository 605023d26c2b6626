package dev.slaprof.producer.trace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads a growing JSON-lines file line by line, from a saved position, across rotations: when the path is renamed
 * away (logrotate's {@code trace.jsonl -> trace.jsonl.1}) and a new file takes its name, the old file is read to
 * its end (a last line without a newline included) and the new one from its start. A position names the file by
 * its identity (device and inode), so a restart finds a file that was rotated while the reader was down among the
 * path's siblings. A partial last line of the live file waits for its newline.
 */
public final class TraceTail implements LineSource {
    /** Where the next line starts: the file's identity, its name when read, and a byte offset. */
    public record Position(String fileKey, String file, long offset) {
    }

    /** One complete line and the position just after it. */
    public record Line(String text, Position after) {
    }

    private static final int CHUNK = 64 * 1024;
    private final Path path;
    private final Consumer<String> notes;
    private SeekableByteChannel channel;
    private String key;
    private Path reading;
    private long offset;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    /**
     * @param resume the saved position, or null to start at the path's first byte
     * @param notes  where a notice goes (a saved file that is gone)
     */
    public TraceTail(final Path path, final Position resume, final Consumer<String> notes) throws IOException {
        this.path = path;
        this.notes = notes;
        if (resume != null && Files.exists(path) && resume.fileKey().equals(key(path))) {
            open(path, resume.offset());
        } else if (resume != null) {
            final Path rotated = find(resume.fileKey());
            if (rotated != null) {
                open(rotated, resume.offset());
            } else {
                notes.accept("the file of the saved position (" + resume.file() + ", byte " + resume.offset()
                    + ") is gone; reading " + path + " from its start");
            }
        }
    }

    /** The identity of a file (device and inode where the file system has them). */
    public static String key(final Path p) throws IOException {
        final Object k = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        return k == null ? p.toRealPath().toString() : k.toString();
    }

    private Path find(final String fileKey) throws IOException {
        final Path dir = path.toAbsolutePath().getParent();
        final String base = path.getFileName().toString();
        try (Stream<Path> siblings = Files.list(dir)) {
            for (final Path p : siblings.filter(p -> p.getFileName().toString().startsWith(base)).toList()) {
                if (Files.isRegularFile(p) && fileKey.equals(key(p))) {
                    return p;
                }
            }
        }
        return null;
    }

    private void open(final Path p, final long at) throws IOException {
        close();
        channel = Files.newByteChannel(p);
        channel.position(at);
        key = key(p);
        reading = p;
        offset = at;
        partial.reset();
    }

    /** The position after the last line returned. */
    public Position position() {
        return channel == null ? null : new Position(key, reading.toString(), offset - partial.size());
    }

    /**
     * The complete lines available now, at most {@code max}; empty when the file has nothing new. Follows a
     * rotation: the old file's rest first, then the new file's lines.
     */
    @Override
    public List<Line> poll(final int max) throws IOException {
        final List<Line> out = new ArrayList<>();
        if (channel == null) {
            if (!Files.exists(path)) {
                return out;
            }
            open(path, 0);
        }
        while (true) {
            takeLines(out, max);
            if (out.size() >= max) {
                break;
            }
            final ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            final int n = channel.read(buf);
            if (n > 0) {
                partial.write(buf.array(), 0, n);
                offset += n;
                continue;
            }
            if (!rotated()) {
                break;
            }
            // The file was rotated away and is read to its end: its unterminated last line is a line too.
            if (partial.size() > 0) {
                final String text = partial.toString(StandardCharsets.UTF_8);
                partial.reset();
                out.add(new Line(text, new Position(key, reading.toString(), offset)));
            }
            notes.accept("rotation: " + reading + " read to its end (" + offset + " bytes); now " + path);
            open(path, 0);
        }
        return out;
    }

    /** Moves the buffer's complete lines to {@code out}, up to {@code max} in all. */
    private void takeLines(final List<Line> out, final int max) {
        final byte[] bytes = partial.toByteArray();
        int start = 0;
        final long base = offset - bytes.length;
        for (int i = 0; i < bytes.length && out.size() < max; i++) {
            if (bytes[i] == '\n') {
                final int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                out.add(new Line(new String(bytes, start, end - start, StandardCharsets.UTF_8),
                    new Position(key, reading.toString(), base + i + 1)));
                start = i + 1;
            }
        }
        if (start > 0) {
            partial.reset();
            partial.write(bytes, start, bytes.length - start);
        }
    }

    /** True when the path now names another file (or none) than the one being read. */
    private boolean rotated() throws IOException {
        return Files.exists(path) && !key(path).equals(key);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
