package dev.flinkgru.tools.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.metrics.reporter.Scheduled;

/**
 * Lets the bench read its jobs' checkpoint figures in-process: a Flink metric reporter that keeps
 * the JobManager's checkpoint gauges ({@code numberOfCompletedCheckpoints}, {@code
 * lastCheckpointDuration}, {@code lastCheckpointSize}, {@code lastCheckpointFullSize}) and, every
 * time it reports, records the last checkpoint if it is a new one. Enabled with {@code
 * metrics.reporter.<name>.factory.class} and an {@code interval} well under the checkpoint
 * interval.
 */
public final class CheckpointStatsReporter implements MetricReporter, Scheduled {

    private static final Object LOCK = new Object();
    private static Gauge<?> completed;
    private static Gauge<?> duration;
    private static Gauge<?> size;
    private static Gauge<?> fullSize;
    private static long recordedCount;
    private static final List<CheckpointStats.Checkpoint> RECORDED = new ArrayList<>();

    /**
     * Sets {@code flink} up for incremental checkpoints every {@code interval} into {@code dir},
     * with this reporter recording them.
     */
    static void checkpointInto(Configuration flink, Path dir, Duration interval) {
        flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        flink.setString("metrics.reporter.bench.factory.class", Factory.class.getName());
        flink.setString("metrics.reporter.bench.interval", "50 ms");
    }

    /** Forgets the checkpoints of earlier jobs. */
    static void reset() {
        synchronized (LOCK) {
            completed = null;
            duration = null;
            size = null;
            fullSize = null;
            recordedCount = 0;
            RECORDED.clear();
        }
    }

    /** The checkpoints recorded since the last {@link #reset()}, after a last look. */
    static CheckpointStats stats() {
        return CheckpointStats.of(recorded());
    }

    /** The checkpoints recorded since the last {@link #reset()}, in completion order. */
    static List<CheckpointStats.Checkpoint> recorded() {
        synchronized (LOCK) {
            look();
            return List.copyOf(RECORDED);
        }
    }

    @Override
    public void report() {
        synchronized (LOCK) {
            look();
        }
    }

    private static void look() {
        if (completed == null || duration == null || size == null || fullSize == null) {
            return;
        }
        long count = asLong(completed);
        if (count > recordedCount) {
            recordedCount = count;
            RECORDED.add(
                    new CheckpointStats.Checkpoint(
                            asLong(duration), asLong(size), asLong(fullSize)));
        }
    }

    private static long asLong(Gauge<?> gauge) {
        Object value = gauge.getValue();
        return value instanceof Number ? ((Number) value).longValue() : -1;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (!(metric instanceof Gauge)) {
            return;
        }
        synchronized (LOCK) {
            switch (name) {
                case "numberOfCompletedCheckpoints" -> completed = (Gauge<?>) metric;
                case "lastCheckpointDuration" -> duration = (Gauge<?>) metric;
                case "lastCheckpointSize" -> size = (Gauge<?>) metric;
                case "lastCheckpointFullSize" -> fullSize = (Gauge<?>) metric;
                default -> {}
            }
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        if (name.equals("numberOfCompletedCheckpoints")) {
            synchronized (LOCK) {
                look(); // the job is ending: its last checkpoint, before the gauges go
            }
        }
    }

    /** The factory Flink instantiates from the configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CheckpointStatsReporter();
        }
    }
}
