package dev.slaprof.sink;

import dev.slaprof.schema.Topics;
import dev.slaprof.schema.avro.Recommendation;
import dev.slaprof.schema.avro.RecommendationKey;
import dev.slaprof.schema.kafka.CompactedTopicReader;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For planners that consume the compacted {@code recommendations} topic directly: the latest snapshot per key (see
 * {@link CompactedTopicReader}), with callbacks on every change. {@link PlannerView} answers table queries on a
 * snapshot; the REST API, the web UI and the file writer are built on this class, so all agree.
 */
public final class PlannerClient extends CompactedTopicReader<RecommendationKey, Recommendation> {
    private final Map<RecommendationKey, PlannerView> views = new ConcurrentHashMap<>();

    public PlannerClient(final Properties clientProps, final Topics topics) {
        super(clientProps, topics.recommendations().name(), topics.recommendations().keySerde().deserializer(),
            topics.recommendations().valueSerde().deserializer());
    }

    @Override
    protected void changed(final RecommendationKey key) {
        views.remove(key);
    }

    /** Table queries on the latest snapshot of a key (built once per snapshot). */
    public Optional<PlannerView> view(final RecommendationKey key) {
        final Recommendation r = latest(key).orElse(null);
        if (r == null) {
            return Optional.empty();
        }
        final PlannerView v = views.computeIfAbsent(key, k -> new PlannerView(r));
        // A snapshot may have replaced the one the cached view was built on between the two reads.
        return Optional.of(v.recommendation() == r ? v : new PlannerView(r));
    }
}
