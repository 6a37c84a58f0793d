package dev.flinkgru.operator;

import dev.flinkgru.operator.flush.FlushPolicy;
import dev.flinkgru.operator.flush.FlushReason;
import dev.flinkgru.operator.internal.Batch;
import dev.flinkgru.operator.internal.BatchStep;
import dev.flinkgru.operator.internal.GruOperatorMetrics;
import dev.flinkgru.operator.internal.KeyedEventBuffer;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.HiddenStateSerializer;
import dev.flinkgru.state.HiddenStateTtl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The keyed micro-batching GRU operator. Events are buffered per key and flushed as batched GRU
 * steps ({@link BatchStep}) on a {@link BatchPredictor}; each key's hidden state lives in Flink
 * keyed state as plain floats; one {@link GruPrediction} leaves per event, in per-key order.
 *
 * <p>The buffer is never checkpointed: it is flushed before every checkpoint barrier, before every
 * watermark is forwarded, and at the end of input, so nothing buffered is in flight when a barrier
 * or watermark passes. Everything, state access and output included, runs on the task thread.
 */
@Internal
public class GruOperator extends AbstractStreamOperator<GruPrediction>
        implements OneInputStreamOperator<GruEvent, GruPrediction> {

    private static final long serialVersionUID = 1L;

    /** Reason given for events whose model output or new state is not finite. */
    public static final String NON_FINITE_OUTPUT = BatchStep.NON_FINITE_OUTPUT;

    /** Name of the keyed state that holds each key's {@link HiddenState}. */
    public static final String STATE_NAME = "gru-hidden-state";

    /**
     * The descriptor of the keyed state holding each key's {@link HiddenState} (without TTL). The
     * savepoint tools read and write the state through it, so they always match the operator.
     */
    public static ValueStateDescriptor<HiddenState> hiddenStateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, HiddenStateSerializer.INSTANCE);
    }

    private final BatchPredictorFactory predictorFactory;
    private final FlushPolicy flushPolicy;
    private final int inputSize;
    private final FingerprintMismatchPolicy mismatchPolicy;
    private final Duration stateTtl;
    private final int maxFailedRows;

    private transient BatchPredictor predictor;
    private transient ModelShape shape;
    private transient ValueState<HiddenState> hiddenState;
    private transient KeyedEventBuffer buffer;
    private transient ScheduledFuture<?> delayTimer;
    private transient GruOperatorMetrics metrics;
    private transient BatchStep step;
    private transient Batch batch;
    private transient BatchStep.States states;
    private transient BatchStep.Results results;

    // Reused per batch.
    private transient List<Object> batchKeys;
    private transient List<GruEvent> batchEvents;

    /**
     * @param predictorFactory opens the subtask's predictor
     * @param flushPolicy batch size and delay
     * @param inputSize F, the features of every event
     * @param mismatchPolicy what to do with states of another model
     * @param stateTtl idle time after which a key's state expires, or null for never
     * @param maxFailedRows rows the model may fail on in a row before the task fails
     */
    public GruOperator(
            BatchPredictorFactory predictorFactory,
            FlushPolicy flushPolicy,
            int inputSize,
            FingerprintMismatchPolicy mismatchPolicy,
            Duration stateTtl,
            int maxFailedRows) {
        this.predictorFactory = predictorFactory;
        this.flushPolicy = flushPolicy;
        this.inputSize = inputSize;
        this.mismatchPolicy = mismatchPolicy;
        this.stateTtl = stateTtl;
        this.maxFailedRows = maxFailedRows;
    }

    @Override
    public void open() throws Exception {
        super.open();
        LOG.info("{}; predictor {}", flushPolicy.explain(), predictorFactory.explain());
        int maxBatch = flushPolicy.maxBatchSize();
        predictor = predictorFactory.open(inputSize, maxBatch);
        shape = predictor.shape();

        ValueStateDescriptor<HiddenState> descriptor = hiddenStateDescriptor();
        if (stateTtl != null) {
            descriptor.enableTimeToLive(HiddenStateTtl.idleAfter(stateTtl));
        }
        hiddenState = getPartitionedState(descriptor);

        buffer = new KeyedEventBuffer();
        metrics = new GruOperatorMetrics(getMetricGroup(), buffer::size);
        step = new BatchStep(predictor, maxBatch, maxFailedRows);
        batch = step.newBatch();
        states = new KeyedStates();
        results = new Emitter();
        batchKeys = new ArrayList<>();
        batchEvents = new ArrayList<>();
    }

    @Override
    public void processElement(StreamRecord<GruEvent> element) throws Exception {
        GruEvent event = element.getValue();
        String problem = validate(event);
        if (problem != null) {
            metrics.recordRejected();
            output.collect(
                    GruInference.REJECTED,
                    new StreamRecord<>(new RejectedEvent(event, problem), event.timestamp));
            return;
        }
        if (buffer.isEmpty()) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            delayTimer =
                    getProcessingTimeService()
                            .registerTimer(flushPolicy.deadline(now), t -> onDelayExpired());
        }
        buffer.add(getCurrentKey(), event);
        if (flushPolicy.isFull(buffer.size())) {
            flush(FlushReason.SIZE);
        }
    }

    private String validate(GruEvent event) {
        if (event.features == null || event.features.length != shape.inputSize()) {
            return "expected "
                    + shape.inputSize()
                    + " features, got "
                    + (event.features == null ? "none" : event.features.length);
        }
        for (int i = 0; i < event.features.length; i++) {
            if (!Float.isFinite(event.features[i])) {
                return "feature x" + i + " is " + event.features[i];
            }
        }
        return null;
    }

    private void onDelayExpired() throws Exception {
        delayTimer = null;
        flush(FlushReason.DELAY);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush(FlushReason.WATERMARK);
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(FlushReason.CHECKPOINT);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush(FlushReason.END_OF_INPUT);
        super.finish();
    }

    /** Runs everything buffered, batch by batch; a key's next event waits for its last step. */
    private void flush(FlushReason reason) throws Exception {
        if (buffer.isEmpty()) {
            return;
        }
        if (delayTimer != null) {
            delayTimer.cancel(false);
            delayTimer = null;
        }
        metrics.recordFlush(reason);
        while (buffer.hasReady()) {
            buffer.pollReady(flushPolicy.maxBatchSize(), batchKeys, batchEvents);
            step.gather(batch, batchKeys, batchEvents, states);
            batchKeys.clear();
            batchEvents.clear();
            step.run(batch);
            metrics.recordBatch(batch.size(), batch.predictorNanos());
            metrics.recordPredictions(step.apply(batch, states, results));
            buffer.complete(batch.keys(), batch.size());
        }
    }

    /**
     * The keys' states in Flink keyed state: zero for a new key, reset or failure for another
     * model's.
     */
    private final class KeyedStates implements BatchStep.States {
        @Override
        public HiddenState read(Object key) throws Exception {
            setCurrentKey(key);
            HiddenState state = hiddenState.value();
            if (state == null) {
                return HiddenState.zero(shape.stateSize(), shape.fingerprint());
            }
            if (state.modelFingerprint() != shape.fingerprint()
                    || state.size() != shape.stateSize()) {
                if (mismatchPolicy == FingerprintMismatchPolicy.FAIL) {
                    throw new FingerprintMismatchPolicy.MismatchException(
                            key, state.modelFingerprint(), shape.fingerprint());
                }
                metrics.recordStateReset();
                return HiddenState.zero(shape.stateSize(), shape.fingerprint());
            }
            return state;
        }

        @Override
        public void write(Object key, HiddenState state) throws Exception {
            setCurrentKey(key);
            hiddenState.update(state);
        }
    }

    /** Predictions to the main output, refusals to {@link GruInference#REJECTED}. */
    private final class Emitter implements BatchStep.Results {
        @Override
        public void predicted(GruEvent event, float[] out, HiddenState state) {
            output.collect(
                    new StreamRecord<>(
                            new GruPrediction(
                                    event.key,
                                    event.timestamp,
                                    event.eventId,
                                    out,
                                    state.steps(),
                                    shape.fingerprint()),
                            event.timestamp));
        }

        @Override
        public void refused(GruEvent event, String reason) {
            if (reason.startsWith(BatchStep.MODEL_FAILED)) {
                metrics.recordModelFailure();
            } else {
                metrics.recordRejected();
            }
            output.collect(
                    GruInference.REJECTED,
                    new StreamRecord<>(new RejectedEvent(event, reason), event.timestamp));
        }
    }

    /** For tests: events waiting in the buffer. */
    int bufferedEvents() {
        return buffer.size();
    }

    /** For tests: the operator's metrics. */
    GruOperatorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        if (predictor != null) {
            try {
                predictor.close();
            } catch (Exception e) {
                failure = e;
            }
            predictor = null;
        }
        try {
            super.close();
        } catch (Exception e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
