package dev.slaprof.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens of a token file: one {@code TOKEN NAME} per line (the name says whose token it is and is what a
 * pin records), {@code #} comments and blank lines ignored. The file is read at start, where any bad line is an
 * error naming it, and again whenever its modification time or size changes, so a token is revoked by deleting its
 * line; a reload that finds a bad line keeps the previous tokens and logs why. Tokens are compared as SHA-256
 * digests in constant time, and never logged.
 */
public final class ApiTokens {
    /** Environment variable naming the token file when no flag does. */
    public static final String ENV = "SLAPROF_API_TOKEN_FILE";
    /** Shortest token accepted (characters): a guessable token is a configuration error. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);

    private record Entry(byte[] digest, String name) {
    }

    private final Path file;
    private volatile List<Entry> entries;
    private volatile FileTime readTime;
    private volatile long readSize;
    private volatile long reloads;
    private volatile long reloadFailures;

    private ApiTokens(final Path file) throws IOException {
        this.file = file;
        this.readTime = Files.getLastModifiedTime(file);
        this.readSize = Files.size(file);
        this.entries = parse(file, Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Reads {@code file}; an unreadable file or a bad line is an {@link IllegalArgumentException} saying which. */
    public static ApiTokens load(final Path file) {
        try {
            return new ApiTokens(file);
        } catch (final IOException e) {
            throw new IllegalArgumentException("cannot read the API token file " + file + ": " + e);
        }
    }

    /** The token file's path. */
    public Path file() {
        return file;
    }

    /** The name of the holder of {@code token}, or empty when the file (as it is now) has no such token. */
    public Optional<String> holder(final String token) {
        refresh();
        final byte[] d = digest(token);
        String found = null;
        for (final Entry e : entries) {
            // Every entry is compared, so the time taken does not say which one matched.
            if (MessageDigest.isEqual(e.digest(), d) && found == null) {
                found = e.name();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Number of tokens held. */
    public int size() {
        refresh();
        return entries.size();
    }

    /** Reloads done after a change of the file, and reloads refused (bad line, unreadable file). */
    public long[] reloadCounts() {
        return new long[] {reloads, reloadFailures};
    }

    private void refresh() {
        try {
            final FileTime t = Files.getLastModifiedTime(file);
            final long size = Files.size(file);
            if (t.equals(readTime) && size == readSize) {
                return;
            }
            synchronized (this) {
                if (t.equals(readTime) && size == readSize) {
                    return;
                }
                readTime = t;
                readSize = size;
                try {
                    entries = parse(file, Files.readString(file, StandardCharsets.UTF_8));
                    reloads++;
                    LOG.info("API token file {} reloaded: {} token(s)", file, entries.size());
                } catch (final IllegalArgumentException e) {
                    reloadFailures++;
                    LOG.warn("API token file {} not reloaded, the previous tokens stay in force: {}", file,
                        e.getMessage());
                }
            }
        } catch (final IOException e) {
            // A file that disappeared or cannot be read revokes nothing silently: every token is refused until it is
            // readable again, and the log says why.
            synchronized (this) {
                if (!entries.isEmpty()) {
                    reloadFailures++;
                    LOG.warn("API token file {} cannot be read ({}); refusing every token until it can", file,
                        e.toString());
                }
                entries = List.of();
                readTime = null;
                readSize = -1;
            }
        }
    }

    static List<Entry> parse(final Path file, final String text) {
        final List<Entry> out = new ArrayList<>();
        final String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            final String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final String[] f = line.split("\\s+", 2);
            final String where = file + " line " + (i + 1);
            if (f.length < 2 || f[1].isBlank()) {
                throw new IllegalArgumentException(where + ": expected 'TOKEN NAME' (the name says whose token it is)");
            }
            if (f[0].length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException(where + ": the token of '" + f[1].strip() + "' is shorter than "
                    + MIN_TOKEN_LENGTH + " characters (make one with: openssl rand -hex 32)");
            }
            out.add(new Entry(digest(f[0]), f[1].strip()));
        }
        return List.copyOf(out);
    }

    private static byte[] digest(final String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
