package dev.flinkgru.operator;

import dev.flinkgru.operator.flush.FlushPolicy;
import dev.flinkgru.operator.flush.FlushReason;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The keyed micro-batching GRU operator. Events are buffered per key and flushed as batched GRU
 * steps on a {@link BatchPredictor}; each key's hidden state lives in Flink keyed state as plain
 * floats; one {@link GruPrediction} leaves per event, in per-key order.
 *
 * <p>The buffer is never checkpointed: it is flushed before every checkpoint barrier, before every
 * watermark is forwarded, and at the end of input, so nothing buffered is in flight when a barrier
 * or watermark passes. Everything, state access and output included, runs on the task thread.
 */
public class GruOperator extends AbstractStreamOperator<GruPrediction>
        implements OneInputStreamOperator<GruEvent, GruPrediction> {

    private static final long serialVersionUID = 1L;

    /** Reason given for events whose model output or new state is not finite. */
    public static final String NON_FINITE_OUTPUT =
            "model output is not finite (NaN or infinity); the key's state was kept";

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

    private transient BatchPredictor predictor;
    private transient ModelShape shape;
    private transient ValueState<HiddenState> hiddenState;
    private transient KeyedEventBuffer buffer;
    private transient ScheduledFuture<?> delayTimer;
    private transient GruOperatorMetrics metrics;

    // Reused per flush; sized for the largest batch.
    private transient List<Object> roundKeys;
    private transient List<GruEvent> roundEvents;
    private transient HiddenState[] batchStates;
    private transient float[] x;
    private transient float[] h;
    private transient float[] y;
    private transient float[] hNext;

    /**
     * @param predictorFactory opens the subtask's predictor
     * @param flushPolicy batch size and delay
     * @param inputSize F, the features of every event
     * @param mismatchPolicy what to do with states of another model
     * @param stateTtl idle time after which a key's state expires, or null for never
     */
    public GruOperator(
            BatchPredictorFactory predictorFactory,
            FlushPolicy flushPolicy,
            int inputSize,
            FingerprintMismatchPolicy mismatchPolicy,
            Duration stateTtl) {
        this.predictorFactory = predictorFactory;
        this.flushPolicy = flushPolicy;
        this.inputSize = inputSize;
        this.mismatchPolicy = mismatchPolicy;
        this.stateTtl = stateTtl;
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
        roundKeys = new ArrayList<>();
        roundEvents = new ArrayList<>();
        batchStates = new HiddenState[maxBatch];
        x = new float[maxBatch * shape.inputSize()];
        h = new float[maxBatch * shape.stateSize()];
        y = new float[maxBatch * shape.outputSize()];
        hNext = new float[maxBatch * shape.stateSize()];
    }

    @Override
    public void processElement(StreamRecord<GruEvent> element) throws Exception {
        GruEvent event = element.getValue();
        String problem = validate(event);
        if (problem != null) {
            metrics.rejected.inc();
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

    /** Runs everything buffered, round by round, in batches of at most the maximum size. */
    private void flush(FlushReason reason) throws Exception {
        if (buffer.isEmpty()) {
            return;
        }
        if (delayTimer != null) {
            delayTimer.cancel(false);
            delayTimer = null;
        }
        metrics.flushes(reason).inc();
        int maxBatch = flushPolicy.maxBatchSize();
        while (!buffer.isEmpty()) {
            buffer.pollRound(roundKeys, roundEvents);
            for (int start = 0; start < roundEvents.size(); start += maxBatch) {
                step(start, Math.min(maxBatch, roundEvents.size() - start));
            }
            roundKeys.clear();
            roundEvents.clear();
        }
    }

    /** One predictor step for round rows [start, start + n); the keys of a round are distinct. */
    private void step(int start, int n) throws Exception {
        int f = shape.inputSize();
        int stateSize = shape.stateSize();
        for (int i = 0; i < n; i++) {
            setCurrentKey(roundKeys.get(start + i));
            HiddenState state = currentState(roundKeys.get(start + i));
            batchStates[i] = state;
            System.arraycopy(state.values(), 0, h, i * stateSize, stateSize);
            System.arraycopy(roundEvents.get(start + i).features, 0, x, i * f, f);
        }

        long began = System.nanoTime();
        try {
            predictor.step(n, x, h, y, hNext);
        } catch (Exception e) {
            throw new Exception("GRU batch inference failed.", e);
        }
        metrics.predictorLatencyMicros.update((System.nanoTime() - began) / 1000);
        metrics.batchSize.update(n);

        int outputs = shape.outputSize();
        int emitted = 0;
        for (int i = 0; i < n; i++) {
            GruEvent event = roundEvents.get(start + i);
            HiddenState state = batchStates[i];
            batchStates[i] = null;
            if (!allFinite(y, i * outputs, outputs)
                    || !allFinite(hNext, i * stateSize, stateSize)) {
                // Policy for NaN/Inf out of the model: the event is refused with its reason and
                // the key keeps its previous state, so one bad step cannot poison the key.
                metrics.rejected.inc();
                output.collect(
                        GruInference.REJECTED,
                        new StreamRecord<>(
                                new RejectedEvent(event, NON_FINITE_OUTPUT), event.timestamp));
                continue;
            }
            emitted++;
            setCurrentKey(roundKeys.get(start + i));
            state.advance(hNext, i * stateSize, event.timestamp);
            hiddenState.update(state);
            float[] out = Arrays.copyOfRange(y, i * outputs, (i + 1) * outputs);
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
        metrics.events.inc(emitted);
    }

    private static boolean allFinite(float[] values, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (!Float.isFinite(values[i])) {
                return false;
            }
        }
        return true;
    }

    /** The current key's state: zero for a new key, reset or failure for another model's. */
    private HiddenState currentState(Object key) throws Exception {
        HiddenState state = hiddenState.value();
        if (state == null) {
            return HiddenState.zero(shape.stateSize(), shape.fingerprint());
        }
        if (state.modelFingerprint() != shape.fingerprint() || state.size() != shape.stateSize()) {
            if (mismatchPolicy == FingerprintMismatchPolicy.FAIL) {
                throw new FingerprintMismatchPolicy.MismatchException(
                        key, state.modelFingerprint(), shape.fingerprint());
            }
            metrics.stateResets.inc();
            return HiddenState.zero(shape.stateSize(), shape.fingerprint());
        }
        return state;
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
