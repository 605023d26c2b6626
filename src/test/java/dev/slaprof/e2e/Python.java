package dev.slaprof.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs python3 snippets as test oracles (numpy, scipy, PyYAML where installed). */
final class Python {
    private Python() {
    }

    /** Output of {@code python3 -c script args...}; fails the caller on a non-zero exit. */
    static String run(final String script, final String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
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
