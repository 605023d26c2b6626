package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import dev.slaprof.schema.avro.CapacitySource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each engine's capacity wording, from fixtures written in its format; a wrong format finds nothing, with a reason. */
class CapacityDiscoveryTest {
    private static String fixture(final String name) throws IOException {
        try (InputStream in = CapacityDiscoveryTest.class.getResourceAsStream("/capacity/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static CapacityDiscovery.Finding log(final String name) throws IOException {
        return CapacityDiscovery.readLog(fixture(name), CapacityDiscovery.VLLM_DEFAULT_BLOCK_SIZE);
    }

    @Test
    void shouldPreferVllmsConcurrencyLineAsDynamoDoes() throws IOException {
        final CapacityDiscovery.Finding f = log("vllm-v1-concurrency.log");
        // int(40960 x 4.92), not the 201,424 of the cache-size line above it.
        assertThat(f.tokensPerRank()).hasValue(201_523L);
        assertThat(f.evidence()).contains("Maximum concurrency");
    }

    @Test
    void shouldReadVllmsCacheSizeWithoutAConcurrencyLine() throws IOException {
        assertThat(log("vllm-v1-cache-size-only.log").tokensPerRank()).hasValue(1_048_576L);
    }

    @Test
    void shouldMultiplyVllmV0GpuBlocksByTheBlockSize() throws IOException {
        final CapacityDiscovery.Finding f = log("vllm-v0-blocks.log");
        assertThat(f.tokensPerRank()).hasValue(27_264L * 16);
        assertThat(f.rule()).contains("block size 16");
        assertThat(CapacityDiscovery.readLog(fixture("vllm-v0-blocks.log"), 32).tokensPerRank()).hasValue(27_264L * 32);
    }

    @Test
    void shouldReadSglangsTotalTokensButNotItsNoneServerArg() throws IOException {
        final CapacityDiscovery.Finding f = log("sglang.log");
        assertThat(f.tokensPerRank()).hasValue(426_915L);
        assertThat(f.evidence()).doesNotContain("None");
        assertThat(log("sglang-old.log").tokensPerRank()).hasValue(120_000L);
    }

    @Test
    void shouldTakeTrtllmsLastPagedKvLineAndMarkTheFallback() throws IOException {
        final CapacityDiscovery.Finding f = log("trtllm.log");
        assertThat(f.tokensPerRank()).hasValue(290_432L);
        assertThat(f.fallback()).isFalse();
        final CapacityDiscovery.Finding none = log("trtllm-no-kv-line.log");
        assertThat(none.tokensPerRank()).hasValue(CapacityDiscovery.TRTLLM_FALLBACK_TOKENS);
        assertThat(none.fallback()).isTrue();
        assertThat(none.describe()).contains("fallback");
    }

    @Test
    void shouldFindNothingWithAReasonInAWrongFormat() throws IOException {
        final CapacityDiscovery.Finding f = log("wrong-format.log");
        assertThat(f.found()).isFalse();
        assertThat(f.describe()).startsWith("nothing found: no line matched").contains("3 lines");
    }

    @Test
    void shouldReadVllmAndSglangMetrics() throws IOException {
        assertThat(CapacityDiscovery.readMetrics(fixture("vllm-metrics.txt")).tokensPerRank()).hasValue(12_589L * 16);
        final CapacityDiscovery.Finding unprofiled = CapacityDiscovery.readMetrics(fixture("vllm-metrics-unprofiled.txt"));
        assertThat(unprofiled.found()).isFalse();
        assertThat(unprofiled.evidence()).contains("num_gpu_blocks");
        final CapacityDiscovery.Finding sglang = CapacityDiscovery.readMetrics(fixture("sglang-metrics.txt"));
        assertThat(sglang.tokensPerRank()).hasValue(426_900L);
        assertThat(CapacityDiscovery.readMetrics("sglang:max_total_num_tokens{model_name=\"m\"} 5000.0\n")
            .tokensPerRank()).hasValue(5000L);
        assertThat(CapacityDiscovery.readMetrics("process_cpu_seconds_total 1.0\n").found()).isFalse();
    }

    /** The worker's --engine-log: a log file's capacity, and a missing file or a log without one named. */
    @Test
    void shouldReadALogFileAndNameTheOptionWhenItCannot(@TempDir final Path dir) throws IOException {
        final Path good = dir.resolve("decode-0.log");
        Files.writeString(good, fixture("vllm-v1-cache-size-only.log"));
        final LoadDriver.Capacity c = CapacityDiscovery.fromLogFile("--engine-log", "TP=1", good);
        assertThat(c.tokensPerRank()).hasValue(1_048_576L);
        assertThat(c.source()).isEqualTo(CapacitySource.LOG);
        assertThatThrownBy(() -> CapacityDiscovery.fromLogFile("--engine-log", "TP=1", dir.resolve("none.log")))
            .hasMessage("--engine-log TP=1=" + dir.resolve("none.log") + ": no such file");
        final Path bad = dir.resolve("bad.log");
        Files.writeString(bad, fixture("wrong-format.log"));
        assertThatThrownBy(() -> CapacityDiscovery.fromLogFile("--engine-log", "TP=2", bad))
            .hasMessageStartingWith("--engine-log TP=2=" + bad + ": ");
    }
}
