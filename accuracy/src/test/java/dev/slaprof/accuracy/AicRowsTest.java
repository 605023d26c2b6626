package dev.slaprof.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AIC's answers survive the table round trip, without this machine's install paths in its messages. */
class AicRowsTest {
    @Test
    void shouldWriteAndReadATableWithoutLocalPaths(@TempDir final Path dir) throws Exception {
        final Path table = dir.resolve("aic.json");
        AicRows.export(table, "0.12.0", "slaprof accuracy --aic", Map.of(
            "a", new AicRows.Answer(120.5, 9.25, null),
            "b", new AicRows.Answer(Double.NaN, Double.NaN, "PerfDataNotAvailableError: missing at "
                + "/home/u/.venv/lib/python3.11/site-packages/aiconfigurator_core/systems/data/b200_sxm")));
        assertThat(Files.readString(table)).doesNotContain("/home/u").contains("aiconfigurator_core/systems/data");
        final Map<String, AicRows.Answer> back = AicRows.table(table);
        assertThat(back.get("a")).isEqualTo(new AicRows.Answer(120.5, 9.25, null));
        assertThat(back.get("b").error()).startsWith("PerfDataNotAvailableError: missing at aiconfigurator_core/");
    }
}
