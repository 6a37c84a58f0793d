package dev.flinkgru.operator.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for in-process MiniCluster tests: keeps every registered gauge and counter by
 * name, so a test can sample them while its job runs. Enabled with {@code
 * metrics.reporter.watch.factory.class: dev.flinkgru.operator.testing.GaugeWatcher$Factory}.
 */
public final class GaugeWatcher implements MetricReporter {

    private static final Map<String, List<Gauge<?>>> GAUGES = new ConcurrentHashMap<>();
    private static final Map<String, List<Counter>> COUNTERS = new ConcurrentHashMap<>();

    /** The largest current value of the gauges called {@code name}, or -1 if none. */
    public static double max(String name) {
        double max = -1;
        for (Gauge<?> gauge : GAUGES.getOrDefault(name, List.of())) {
            Object value = gauge.getValue();
            if (value instanceof Number) {
                max = Math.max(max, ((Number) value).doubleValue());
            }
        }
        return max;
    }

    /** The sum of the counters called {@code name} (one per subtask), 0 if none. */
    public static long sum(String name) {
        long sum = 0;
        for (Counter counter : COUNTERS.getOrDefault(name, List.of())) {
            sum += counter.getCount();
        }
        return sum;
    }

    /** The current values of the gauges called {@code name}, as strings. */
    public static List<String> strings(String name) {
        List<String> values = new ArrayList<>();
        for (Gauge<?> gauge : GAUGES.getOrDefault(name, List.of())) {
            values.add(String.valueOf(gauge.getValue()));
        }
        return values;
    }

    public static void clear() {
        GAUGES.clear();
        COUNTERS.clear();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Gauge) {
            GAUGES.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add((Gauge<?>) metric);
        } else if (metric instanceof Counter) {
            COUNTERS.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add((Counter) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

    /** Created by Flink from the configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new GaugeWatcher();
        }
    }
}
