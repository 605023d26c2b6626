package dev.slaprof.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slaprof.schema.avro.CapacitySource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capacities given on the command line: a number, a start-up log, and a number over a log of the same mapping. */
class GivenCapacitiesTest {
    @TempDir
    Path dir;

    @Test
    void shouldTakeNumbersAndLogsAndLetANumberWin() throws Exception {
        final Path log = Files.writeString(dir.resolve("decode-0.log"),
            "INFO 12-07 10:00:00 [kv_cache_utils.py:1087] GPU KV cache size: 426,912 tokens\n");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Map<String, LoadDriver.Capacity> known = GivenCapacities.of(List.of("TP=1=" + log, "TP=2:" + log),
            List.of("TP=2=1000", "tep8=5000"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(known).containsOnlyKeys("TP=1", "TP=2", "TEP=8");
        assertThat(known.get("TP=1").tokensPerRank()).hasValue(426_912);
        assertThat(known.get("TP=2").tokensPerRank()).hasValue(1000);
        assertThat(known.get("TP=2").source()).isEqualTo(CapacitySource.CONFIG);
        assertThat(known.get("TEP=8").detail()).isEqualTo("--kv-capacity TEP=8=5000");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("KV capacity of TP=1 from " + log
            + ": 426,912 tokens per rank");
    }

    @Test
    void shouldRefuseALogWithoutACapacityLine() throws Exception {
        final Path log = Files.writeString(dir.resolve("empty.log"), "INFO starting\n");
        assertThatThrownBy(() -> GivenCapacities.of(List.of("TP=1=" + log), List.of(), System.out))
            .hasMessageContaining("--engine-log");
    }
}
