package dev.slaprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slaprof capacity}: the number, the rule and the line; or nothing, the reason and exit 1. */
class CapacityCommandTest {
    @TempDir
    Path dir;

    private static String[] run(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        final int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            rc = Main.commandLine().execute(args);
        } finally {
            System.setOut(original);
        }
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void shouldPrintWhatItFoundAndWhere() throws Exception {
        final Path log = Files.writeString(dir.resolve("trtllm.log"),
            "[TensorRT-LLM][INFO] Using 290432 tokens in paged KV cache.\n");
        final String[] r = run("capacity", "--log", log.toString());
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("290,432 tokens per rank", "TRT-LLM paged KV cache", "Using 290432 tokens");
    }

    @Test
    void shouldSayWhyItFoundNothingAndExitOne() throws Exception {
        final Path metrics = Files.writeString(dir.resolve("metrics.txt"), "process_cpu_seconds_total 3.0\n");
        final String[] r = run("capacity", "--metrics", metrics.toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("nothing found: no vllm:cache_config_info and no sglang:max_total_num_tokens");
    }
}
