package dev.flinkgru.operator.internal;

import dev.flinkgru.operator.flush.FlushReason;
import dev.flinkgru.state.ModelFingerprint;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The GRU operator's metrics, registered in its operator metric group. */
@Internal
public final class GruOperatorMetrics {

    /** Rows per predictor step (histogram). */
    public static final String BATCH_SIZE = "batchSize";

    /** Wall time of one batch's predictor calls, microseconds (histogram). */
    public static final String PREDICTOR_LATENCY_MICROS = "predictorLatencyMicros";

    /** Events that produced a prediction (counter). */
    public static final String PREDICTIONS = "predictions";

    /** Predictions per second over the last minute (meter). */
    public static final String PREDICTIONS_PER_SECOND = "predictionsPerSecond";

    /** States of another model started again from the zero state (counter). */
    public static final String STATE_RESETS = "stateResets";

    /** States of another model carried over as they are, policy KEEP (counter). */
    public static final String STATE_KEPT = "stateKept";

    /** States of another model rebuilt from the key's history, policy REWARM (counter). */
    public static final String STATE_REWARMED = "stateRewarmed";

    /** New model versions that took effect at a checkpoint barrier (counter). */
    public static final String MODEL_SWAPS = "modelSwaps";

    /** New model files refused because they failed to load or to pass the probe (counter). */
    public static final String MODELS_REFUSED = "modelsRefused";

    /** Fingerprint of the model served, 16 hex digits (gauge). */
    public static final String MODEL_FINGERPRINT = "modelFingerprint";

    /**
     * Fingerprint of a new model loaded and waiting for the next checkpoint barrier, or "none"
     * (gauge; gru.model.watch).
     */
    public static final String MODEL_CANDIDATE = "modelCandidate";

    /** Events refused: invalid input, non-finite output, or a model failure (counter). */
    public static final String REJECTED_EVENTS = "rejectedEvents";

    /** Events the model failed on, isolated and refused (counter). */
    public static final String MODEL_FAILURES = "modelFailures";

    /**
     * Late events under gru.order EVENT_TIME: behind the watermark on arrival or behind their key's
     * last stepped event (counter; rejected or stepped as gru.order.late says).
     */
    public static final String LATE_EVENTS = "lateEvents";

    /**
     * Events this subtask put in keyed state to wait for the watermark, and released (counters; the
     * difference is what waits, restored events not included).
     */
    public static final String EVENTS_HELD = "eventsHeld";

    /** Events released from keyed state into the buffer by the watermark (counter). */
    public static final String EVENTS_RELEASED = "eventsReleased";

    /** Events waiting in the buffer (gauge). */
    public static final String BUFFERED_EVENTS = "bufferedEvents";

    /** Batches submitted to the predictor and not yet applied (gauge). */
    public static final String IN_FLIGHT_BATCHES = "inFlightBatches";

    /** Rows per call of the shared device batcher (histogram; gru.device.shared only). */
    public static final String DEVICE_BATCH_SIZE = "deviceBatchSize";

    /** Calls of the shared device batcher (gauge; gru.device.shared only). */
    public static final String DEVICE_CALLS = "deviceCalls";

    /** Share of its life the shared device batcher spent in calls, 0 to 1 (gauge). */
    public static final String DEVICE_BUSY_FRACTION = "deviceBusyFraction";

    /** The group of the flush counters, one per {@link FlushReason}. */
    public static final String FLUSHES = "flushes";

    private static final int HISTOGRAM_WINDOW = 1024;

    private final Histogram batchSize;
    private final Histogram predictorLatencyMicros;
    private final Counter predictions;
    private final Counter stateResets;
    private final Counter stateKept;
    private final Counter stateRewarmed;
    private final Counter modelSwaps;
    private final Counter modelsRefused;
    private final Counter rejected;
    private final Counter modelFailures;
    private final Counter late;
    private final Counter held;
    private final Counter released;
    private final Map<FlushReason, Counter> flushes = new EnumMap<>(FlushReason.class);

    /**
     * @param group the operator's metric group
     * @param bufferedEvents events in the buffer
     * @param inFlightBatches batches in flight
     * @param modelFingerprint the fingerprint of the model served
     * @param modelCandidate the fingerprint of the model waiting to be served, in hex, or "none"
     * @param device the shared device batcher served now (null if the subtask has its own
     *     predictor)
     */
    public GruOperatorMetrics(
            MetricGroup group,
            IntSupplier bufferedEvents,
            IntSupplier inFlightBatches,
            LongSupplier modelFingerprint,
            Supplier<String> modelCandidate,
            Supplier<DeviceBatcher> device) {
        batchSize =
                group.histogram(BATCH_SIZE, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        predictorLatencyMicros =
                group.histogram(
                        PREDICTOR_LATENCY_MICROS,
                        new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        predictions = group.counter(PREDICTIONS);
        group.meter(PREDICTIONS_PER_SECOND, new MeterView(predictions));
        stateResets = group.counter(STATE_RESETS);
        stateKept = group.counter(STATE_KEPT);
        stateRewarmed = group.counter(STATE_REWARMED);
        modelSwaps = group.counter(MODEL_SWAPS);
        modelsRefused = group.counter(MODELS_REFUSED);
        group.gauge(MODEL_FINGERPRINT, () -> ModelFingerprint.toHex(modelFingerprint.getAsLong()));
        group.gauge(MODEL_CANDIDATE, modelCandidate::get);
        rejected = group.counter(REJECTED_EVENTS);
        modelFailures = group.counter(MODEL_FAILURES);
        late = group.counter(LATE_EVENTS);
        held = group.counter(EVENTS_HELD);
        released = group.counter(EVENTS_RELEASED);
        group.gauge(BUFFERED_EVENTS, bufferedEvents::getAsInt);
        group.gauge(IN_FLIGHT_BATCHES, inFlightBatches::getAsInt);
        if (device.get() != null) {
            group.histogram(DEVICE_BATCH_SIZE, new CurrentDeviceHistogram(device));
            group.gauge(DEVICE_CALLS, () -> device.get().calls());
            group.gauge(DEVICE_BUSY_FRACTION, () -> device.get().busyFraction());
        }
        MetricGroup flushGroup = group.addGroup(FLUSHES);
        for (FlushReason reason : FlushReason.values()) {
            flushes.put(reason, flushGroup.counter(reason.metricName()));
        }
    }

    /** A batch of {@code rows} whose predictor calls took {@code nanos}. */
    public void recordBatch(int rows, long nanos) {
        batchSize.update(rows);
        predictorLatencyMicros.update(nanos / 1000);
    }

    public void recordPredictions(int count) {
        predictions.inc(count);
    }

    public void recordRejected() {
        rejected.inc();
    }

    /** A late event (rejected or stepped, as gru.order.late says). */
    public void recordLate() {
        late.inc();
    }

    /** An event put in keyed state to wait for the watermark. */
    public void recordHeld() {
        held.inc();
    }

    /** {@code count} events released by the watermark into the buffer. */
    public void recordReleased(int count) {
        released.inc(count);
    }

    /** An event the model failed on (also counted as rejected). */
    public void recordModelFailure() {
        modelFailures.inc();
        rejected.inc();
    }

    public void recordStateReset() {
        stateResets.inc();
    }

    public void recordStateKept() {
        stateKept.inc();
    }

    public void recordStateRewarmed() {
        stateRewarmed.inc();
    }

    public void recordModelSwap() {
        modelSwaps.inc();
    }

    public void recordModelRefused() {
        modelsRefused.inc();
    }

    public void recordFlush(FlushReason reason) {
        flushes.get(reason).inc();
    }

    /** Events that produced a prediction so far. */
    public long predictions() {
        return predictions.getCount();
    }

    /** Events refused so far. */
    public long rejected() {
        return rejected.getCount();
    }

    /** Events the model failed on so far. */
    public long modelFailures() {
        return modelFailures.getCount();
    }

    /** States reset so far. */
    public long lateEvents() {
        return late.getCount();
    }

    public long eventsHeld() {
        return held.getCount();
    }

    public long eventsReleased() {
        return released.getCount();
    }

    public long stateResets() {
        return stateResets.getCount();
    }

    /** States kept so far. */
    public long stateKept() {
        return stateKept.getCount();
    }

    /** States rewarmed so far. */
    public long stateRewarmed() {
        return stateRewarmed.getCount();
    }

    /** Model versions swapped in so far. */
    public long modelSwaps() {
        return modelSwaps.getCount();
    }

    /** New model files refused so far. */
    public long modelsRefused() {
        return modelsRefused.getCount();
    }

    /** Flushes for {@code reason} so far. */
    public long flushes(FlushReason reason) {
        return flushes.get(reason).getCount();
    }

    /** The rows per call of whichever device batcher the subtask uses now. */
    private static final class CurrentDeviceHistogram implements Histogram {
        private final Supplier<DeviceBatcher> device;

        CurrentDeviceHistogram(Supplier<DeviceBatcher> device) {
            this.device = device;
        }

        @Override
        public void update(long value) {
            device.get().rowsPerCall().update(value);
        }

        @Override
        public long getCount() {
            return device.get().rowsPerCall().getCount();
        }

        @Override
        public HistogramStatistics getStatistics() {
            return device.get().rowsPerCall().getStatistics();
        }
    }
}
