package dev.flinkgru.tools.demo;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Lets the demo read the GRU operator's own metrics in-process: a Flink metric reporter that keeps
 * references to every subtask's {@code batchSize} histogram and {@code deadLetters} and {@code
 * rejectedEvents} counters. Enabled with {@code metrics.reporter.demo.factory.class}.
 */
public final class DemoMetricsReporter implements MetricReporter {

    private static final List<Histogram> BATCH_SIZES = new CopyOnWriteArrayList<>();
    private static final List<Counter> REFUSED = new CopyOnWriteArrayList<>();

    /** Mean rows per predictor step over the subtasks' recent steps, or NaN before any. */
    public static double meanBatchSize() {
        double sum = 0;
        long weight = 0;
        for (Histogram h : BATCH_SIZES) {
            long n = Math.min(h.getCount(), h.getStatistics().size());
            sum += h.getStatistics().getMean() * n;
            weight += n;
        }
        return weight == 0 ? Double.NaN : sum / weight;
    }

    /** Input records refused so far (dead letters and rejected events). */
    public static long refused() {
        return REFUSED.stream().mapToLong(Counter::getCount).sum();
    }

    /** Forgets the metrics of earlier jobs. */
    public static void reset() {
        BATCH_SIZES.clear();
        REFUSED.clear();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (name.equals("batchSize") && metric instanceof Histogram) {
            BATCH_SIZES.add((Histogram) metric);
        } else if ((name.equals("deadLetters") || name.equals("rejectedEvents"))
                && metric instanceof Counter) {
            REFUSED.add((Counter) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

    /** The factory Flink instantiates from the configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new DemoMetricsReporter();
        }
    }
}
