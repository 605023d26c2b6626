package dev.slaprof.profiler;

import dev.slaprof.producer.CapacityDiscovery;
import dev.slaprof.producer.LoadDriver.Capacity;
import dev.slaprof.schema.avro.CapacitySource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/** What a started engine's log says: its KV capacity (held against its /metrics) and, when it fails, its last lines. */
public final class EngineLog {
    private static final int TAIL_LINES = 12;

    private EngineLog() {
    }

    /**
     * The engine's KV capacity from its start-up log (else from /metrics), printing both so a disagreement shows.
     *
     * @return empty when neither says
     */
    public static Optional<Capacity> capacity(final HttpClient http, final String url, final String label, final Path log,
                                       final PrintStream out) {
        final CapacityDiscovery.Finding fromLog = CapacityDiscovery.readLog(text(log),
            CapacityDiscovery.VLLM_DEFAULT_BLOCK_SIZE);
        final CapacityDiscovery.Finding fromMetrics = CapacityDiscovery.scrapeFinding(http, url);
        out.println("slaprof: " + label + " KV capacity: log " + show(fromLog.tokensPerRank()) + ", /metrics "
            + show(fromMetrics.tokensPerRank()) + (fromLog.found() && fromMetrics.found()
                && fromLog.tokensPerRank().getAsLong() != fromMetrics.tokensPerRank().getAsLong()
                ? " (they DISAGREE; the log's is used)" : ""));
        if (fromLog.found()) {
            return Optional.of(new Capacity(fromLog.tokensPerRank(), CapacitySource.LOG, log.getFileName() + ": "
                + fromLog.rule() + ": " + fromLog.evidence()));
        }
        return fromMetrics.found() ? Optional.of(new Capacity(fromMetrics.tokensPerRank(), fromMetrics.rule() + " at "
            + url + "/metrics")) : Optional.empty();
    }

    /** The last lines of a log, joined with " / ". */
    public static String tail(final Path log) {
        final List<String> lines = text(log).lines().filter(l -> !l.isBlank()).toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    }

    private static String show(final OptionalLong v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%,d tokens", v.getAsLong()) : "none";
    }

    private static String text(final Path log) {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (final IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
