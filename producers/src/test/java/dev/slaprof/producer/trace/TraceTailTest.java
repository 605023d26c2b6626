package dev.slaprof.producer.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tail: complete lines only, positions that resume exactly, and a rename rotation followed. */
class TraceTailTest {
    @TempDir
    Path dir;

    private static List<String> texts(final List<TraceTail.Line> lines) {
        return lines.stream().map(TraceTail.Line::text).toList();
    }

    @Test
    void shouldWaitForAPartialLineAndResumeFromAPosition() throws Exception {
        final Path f = dir.resolve("t.jsonl");
        Files.writeString(f, "a\nb\nc");
        final List<String> notes = new ArrayList<>();
        final TraceTail.Position after;
        try (TraceTail t = new TraceTail(f, null, notes::add)) {
            final List<TraceTail.Line> first = t.poll(10);
            assertThat(texts(first)).containsExactly("a", "b");
            after = first.get(0).after();
            Files.writeString(f, "\nd\n", StandardOpenOption.APPEND);
            assertThat(texts(t.poll(10))).containsExactly("c", "d");
            assertThat(t.poll(10)).isEmpty();
        }
        try (TraceTail t = new TraceTail(f, after, notes::add)) {
            assertThat(texts(t.poll(2))).containsExactly("b", "c");
            assertThat(texts(t.poll(10))).containsExactly("d");
        }
        assertThat(notes).isEmpty();
    }

    @Test
    void shouldFollowARenameRotationAndFindTheRotatedFileOnResume() throws Exception {
        final Path f = dir.resolve("t.jsonl");
        Files.writeString(f, "1\n2\n");
        final List<String> notes = new ArrayList<>();
        final TraceTail.Position at;
        try (TraceTail t = new TraceTail(f, null, notes::add)) {
            final List<TraceTail.Line> lines = t.poll(1);
            assertThat(texts(lines)).containsExactly("1");
            at = lines.get(0).after();
            Files.writeString(f, "3", StandardOpenOption.APPEND);
            Files.move(f, dir.resolve("t.jsonl.1"));
            Files.writeString(f, "4\n5\n");
            assertThat(texts(t.poll(10))).containsExactly("2", "3", "4", "5");
        }
        assertThat(notes).hasSize(1).allMatch(n -> n.startsWith("rotation: "));
        // A restart from the position in the old file reads its rest, then the new file.
        try (TraceTail t = new TraceTail(f, at, notes::add)) {
            assertThat(texts(t.poll(10))).containsExactly("2", "3", "4", "5");
        }
        assertThat(Files.readString(f, StandardCharsets.UTF_8)).isEqualTo("4\n5\n");
    }

    @Test
    void shouldFollowARotationOfALargeFileReadInBatches() throws Exception {
        final Path f = dir.resolve("big.jsonl");
        final String pad = "x".repeat(290);
        final StringBuilder old = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            old.append(i).append(pad).append('\n');
        }
        Files.writeString(f, old);
        final List<String> notes = new ArrayList<>();
        int n = 0;
        try (TraceTail t = new TraceTail(f, null, notes::add)) {
            for (List<TraceTail.Line> b = t.poll(500); !b.isEmpty(); b = t.poll(500)) {
                n += b.size();
            }
            assertThat(n).isEqualTo(5000);
            Files.move(f, dir.resolve("big.jsonl.1"));
            Files.writeString(f, "a\nb\n");
            assertThat(texts(t.poll(500))).containsExactly("a", "b");
        }
        assertThat(notes).hasSize(1);
    }
}
