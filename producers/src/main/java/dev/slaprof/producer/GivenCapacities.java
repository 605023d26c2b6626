package dev.slaprof.producer;

import dev.slaprof.schema.avro.CapacitySource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The KV capacities a user gives the worker instead of its scrape of each engine's {@code /metrics}: an engine's
 * start-up log ({@code --engine-log MAPPING=FILE}) or a number ({@code --kv-capacity MAPPING=TOKENS}), by mapping label.
 */
public final class GivenCapacities {
    private GivenCapacities() {
    }

    /**
     * The capacities of {@code engineLogs} then {@code kvCapacity} (a number wins over a log of the same mapping),
     * each log's reading printed to {@code out}; a log without a capacity line is an error naming it.
     */
    public static Map<String, LoadDriver.Capacity> of(final List<String> engineLogs, final List<String> kvCapacity,
                                                      final PrintStream out) throws IOException {
        final Map<String, LoadDriver.Capacity> known = new ConcurrentHashMap<>();
        for (final String text : engineLogs) {
            final MappingValue e = MappingValue.parse("--engine-log", text);
            final LoadDriver.Capacity c = CapacityDiscovery.fromLogFile("--engine-log", e.mapping(), Path.of(e.value()));
            out.printf(Locale.ROOT, "slaprof: KV capacity of %s from %s: %,d tokens per rank (%s)%n", e.mapping(),
                e.value(), c.tokensPerRank().getAsLong(), c.detail());
            known.put(e.mapping(), c);
        }
        for (final String text : kvCapacity) {
            final MappingValue e = MappingValue.parse("--kv-capacity", text);
            final long tokens = e.tokens("--kv-capacity");
            known.put(e.mapping(), new LoadDriver.Capacity(OptionalLong.of(tokens), CapacitySource.CONFIG,
                "--kv-capacity " + e.mapping() + "=" + tokens));
        }
        return known;
    }
}
