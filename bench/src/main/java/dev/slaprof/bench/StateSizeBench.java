package dev.slaprof.bench;

import dev.slaprof.domain.stats.Keys;
import dev.slaprof.domain.stats.LatencyStats;
import dev.slaprof.schema.AvroSerde;
import dev.slaprof.schema.InMemorySchemaRegistry;
import dev.slaprof.schema.avro.Deployment;
import dev.slaprof.schema.avro.LatencySample;
import dev.slaprof.schema.avro.MappingLoadStats;
import java.util.Random;

/** The encoded size of one bucket's state, as the store holds it, as samples accumulate. */
public final class StateSizeBench {
    private StateSizeBench() {
    }

    /** Encoded bytes of one bucket's state (as the store holds it) after 10 k and after {@code n} samples. */
    public static int[] bytesPerBucket(final BenchSamples samples, final Deployment d, final int n) {
        final AvroSerde<MappingLoadStats> serde = AvroSerde.specific(MappingLoadStats.class,
            new InMemorySchemaRegistry(), false);
        final Random r = new Random(3);
        final LatencySample first = samples.sample(r, d, 0);
        final var key = Keys.bucket(first);
        final MappingLoadStats st = LatencyStats.empty(first, key.getInFlight(), key.getIsl());
        int at10k = 0;
        for (int i = 1; i <= n; i++) {
            LatencyStats.add(st, samples.sample(r, d, 0));
            if (i == 10_000) {
                at10k = serde.serialize("s", st).length;
            }
        }
        return new int[] {at10k, serde.serialize("s", st).length};
    }
}
