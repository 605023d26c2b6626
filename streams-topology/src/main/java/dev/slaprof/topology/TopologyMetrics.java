package dev.slaprof.topology;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.metrics.stats.WindowedSum;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * slaprof's own counters in Kafka Streams' metrics registry (so they show in JMX with the built-in ones, group
 * {@code stream-slaprof-metrics}): samples aggregated, duplicates dropped, samples dead-lettered by validation; and
 * their Prometheus-style totals for the REST {@code /metrics} endpoint, together with Streams' own count of records
 * dropped by the deserialization handler (they too go to the dead-letter topic). Nothing leaves the topology
 * uncounted.
 */
public final class TopologyMetrics {
    /** Sensor scope: the metric group is {@code stream-<scope>-metrics}. */
    static final String SCOPE = "slaprof";
    static final String GROUP = "stream-" + SCOPE + "-metrics";
    /** Valid samples aggregated into statistics. */
    static final String SAMPLES = "samples";
    /** Redeliveries dropped by the de-duplication window. */
    public static final String DUPLICATES = "duplicates";
    /** Samples that failed validation and went to the dead-letter topic. */
    public static final String DEAD_LETTERS = "dead-letters";
    /** Event ids forgotten before the de-duplication window ended, because a task's id capacity was reached. */
    public static final String DEDUP_EVICTED = "dedup-evicted";
    /** Recomputations of one deployment that threw: logged, dead-lettered, the other deployments unaffected. */
    static final String RECOMPUTE_FAILURES = "recompute-failures";

    private TopologyMetrics() {
    }

    /** The rate/total sensor of one operation (shared by the tasks of a thread). */
    public static Sensor sensor(final StreamsMetrics metrics, final String operation) {
        return metrics.addRateTotalSensor(SCOPE, "topology", operation, Sensor.RecordingLevel.INFO);
    }

    /**
     * Like {@link #sensor} ({@code <operation>-rate} and {@code <operation>-total}), but counting the recorded values,
     * so a processor can count in a plain field and record the batch now and then instead of once per record.
     */
    public static Sensor batchSensor(final StreamsMetrics metrics, final String taskId, final String operation) {
        final Sensor s = metrics.addSensor(SCOPE + "-" + operation + "-" + taskId, Sensor.RecordingLevel.INFO);
        final Map<String, String> tags = Map.of("thread-id", Thread.currentThread().getName(), "task-id", taskId);
        s.add(new MetricName(operation + "-rate", GROUP, "per second " + operation, tags),
            new Rate(new WindowedSum()));
        s.add(new MetricName(operation + "-total", GROUP, "total " + operation, tags),
            new CumulativeSum());
        return s;
    }

    /**
     * Totals summed over threads and tasks: {@code slaprof_topology_samples_total},
     * {@code slaprof_topology_duplicates_total}, {@code slaprof_topology_dead_letters_total},
     * {@code slaprof_topology_dedup_evicted_total}, {@code slaprof_topology_recompute_failures_total} and
     * {@code slaprof_topology_deserialization_dropped_total}.
     */
    public static Map<String, Double> gauges(final KafkaStreams streams) {
        final Map<String, Double> out = new TreeMap<>();
        for (final String op : new String[] {SAMPLES, DUPLICATES, DEAD_LETTERS, DEDUP_EVICTED, RECOMPUTE_FAILURES}) {
            out.put("slaprof_topology_" + op.replace('-', '_') + "_total", 0.0);
        }
        out.put("slaprof_topology_deserialization_dropped_total", 0.0);
        for (final Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            final MetricName n = e.getKey();
            final Object v = e.getValue().metricValue();
            if (!(v instanceof Double d) || !Double.isFinite(d)) {
                continue;
            }
            if (GROUP.equals(n.group()) && n.name().endsWith("-total")) {
                out.merge("slaprof_topology_" + n.name().replace('-', '_'), d, Double::sum);
            } else if ("stream-task-metrics".equals(n.group()) && "dropped-records-total".equals(n.name())) {
                out.merge("slaprof_topology_deserialization_dropped_total", d, Double::sum);
            }
        }
        return out;
    }
}
