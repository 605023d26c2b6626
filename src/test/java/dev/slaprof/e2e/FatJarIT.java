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
 * packages (before, a run died with {@code SecurityException: Forbidden dev.slaprof.schema.avro...}). And the first
 * thing a new user runs, {@code run} with every default, succeeds with one clear answer (issue 29): a recommended
 * deployment that meets the SLA, printed before Dynamo's per-role picks, and no {@code ERROR} line on either stream.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FatJarIT {
    @Test
    void shouldRunTheDefaultProfileFromTheFatJarWithOneAnswerAndNoError() throws Exception {
        final Path jar = Path.of("../../cli/target/slaprof.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the reactor builds cli before this module").exists();
        final Path dir = Files.createTempDirectory("fat-jar-it");
        final Path stdout = dir.resolve("run.out");
        final Path stderr = dir.resolve("run.err");
        final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g", "-jar", jar.toString(), "run", "--ui-port", "0", "--output-dir", dir.resolve("out").toString()))
            .redirectOutput(ProcessBuilder.Redirect.to(stdout.toFile()))
            .redirectError(ProcessBuilder.Redirect.to(stderr.toFile())).start();
        final boolean ended = p.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        final String out = Files.readString(stdout, StandardCharsets.UTF_8);
        final String err = Files.readString(stderr, StandardCharsets.UTF_8);
        final String both = out + "\n--- stderr ---\n" + err;
        assertThat(ended).as(both).isTrue();
        assertThat(p.exitValue()).as(both).isZero();
        assertThat(both).contains("== slaprof summary (SIMULATED data) ==").doesNotContain("SecurityException");
        // The defaults are today's Dynamo's, and say so.
        assertThat(out).contains("SLA TTFT 2000.0 ms ITL 30.0 ms at ISL 4000 OSL 1000 (MEAN; from Dynamo 1.x DGDR "
            + "v1beta1 defaults)");
        // One answer first: the summary's first line after its heading is the deployment, and it meets the SLA.
        final List<String> summary = out.substring(out.indexOf("== slaprof summary")).lines().toList();
        assertThat(summary.get(1)).as(both).startsWith("slaprof: recommended deployment: ").endsWith("meets the SLA");
        assertThat(out.indexOf("recommended deployment:")).isLessThan(out.indexOf("Dynamo's per-role picks"));
        assertThat(out).doesNotContain("INFEASIBLE").doesNotContain("WARNING No engine configuration");
        assertThat(both.lines().filter(l -> l.contains("ERROR")).toList()).as(both).isEmpty();
    }
}
