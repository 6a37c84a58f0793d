package dev.flinkgru.operator.internal;

import dev.flinkgru.operator.flush.FlushReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The operator's metrics, registered in its operator metric group. */
public final class GruOperatorMetrics {

    private static final int HISTOGRAM_WINDOW = 1024;

    /** Rows per predictor step. */
    public final Histogram batchSize;

    /** Wall time of one predictor step, microseconds. */
    public final Histogram predictorLatencyMicros;

    /** Events that produced a prediction. */
    public final Counter events;

    /** Events per second, over the last minute. */
    public final Meter eventsPerSecond;

    /** Restored states dropped because another model produced them. */
    public final Counter stateResets;

    /** Events refused as invalid (sent to the rejected side output). */
    public final Counter rejected;

    private final Map<FlushReason, Counter> flushes = new EnumMap<>(FlushReason.class);

    public GruOperatorMetrics(MetricGroup group, IntSupplier bufferedEvents) {
        batchSize =
                group.histogram("batchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        predictorLatencyMicros =
                group.histogram(
                        "predictorLatencyMicros",
                        new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        events = group.counter("predictions");
        eventsPerSecond = group.meter("predictionsPerSecond", new MeterView(events));
        stateResets = group.counter("stateResets");
        rejected = group.counter("rejectedEvents");
        group.gauge("bufferedEvents", bufferedEvents::getAsInt);
        MetricGroup flushGroup = group.addGroup("flushes");
        for (FlushReason reason : FlushReason.values()) {
            flushes.put(reason, flushGroup.counter(reason.metricName()));
        }
    }

    /** The flush counter of {@code reason}. */
    public Counter flushes(FlushReason reason) {
        return flushes.get(reason);
    }
}
