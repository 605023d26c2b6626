package dev.slaprof.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code java -jar cli/target/slaprof.jar} works as it is, with no flag of the wrapper's: the jar trusts its own Avro
 * packages (before, a run died with {@code SecurityException: Forbidden dev.slaprof.schema.avro...}).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FatJarIT {
    @Test
    void shouldRunTheMainJobFromTheFatJarAlone() throws Exception {
        final Path jar = Path.of("../../cli/target/slaprof.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the reactor builds cli before this module").exists();
        final Path dir = Files.createTempDirectory("fat-jar-it");
        final Path log = dir.resolve("run.log");
        final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g", "-jar", jar.toString(), "run", "--max-num-gpus-per-engine", "2", "--ui-port", "0",
            "--output-dir", dir.resolve("out").toString())).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        final boolean ended = p.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        final String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("== slaprof summary (SIMULATED data) ==").doesNotContain("SecurityException");
    }
}
