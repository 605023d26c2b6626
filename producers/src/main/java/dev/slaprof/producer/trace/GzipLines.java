package dev.slaprof.producer.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The lines of a finished gzip segment ({@code dynamo-request-trace.NNNNNN.jsonl.gz}), read once from start to end;
 * a line's position is its number, so a saved position resumes by skipping that many lines.
 */
public final class GzipLines implements LineSource {
    private final BufferedReader reader;
    private final String key;
    private final String name;
    private long line;

    public GzipLines(final Path file, final TraceTail.Position resume) throws IOException {
        this.reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file), 65536),
            StandardCharsets.UTF_8));
        this.key = TraceTail.key(file);
        this.name = file.toString();
        if (resume != null && resume.fileKey().equals(key)) {
            while (line < resume.offset() && reader.readLine() != null) {
                line++;
            }
        }
    }

    @Override
    public List<TraceTail.Line> poll(final int max) throws IOException {
        final List<TraceTail.Line> out = new ArrayList<>();
        for (String s = out.size() < max ? reader.readLine() : null; s != null; s = out.size() < max
            ? reader.readLine() : null) {
            line++;
            out.add(new TraceTail.Line(s, new TraceTail.Position(key, name, line)));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
