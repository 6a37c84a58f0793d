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
import dev.flinkgru.operator.predictor.ModelVersions;
import dev.flinkgru.state.FeatureHistory;
import dev.flinkgru.state.GruKeyedState;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.HiddenStateTtl;
import dev.flinkgru.state.MismatchDecision;
import dev.flinkgru.state.Timestamps;
import dev.flinkgru.state.WaitingEvent;
import dev.flinkgru.state.WaitingEvents;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The keyed micro-batching GRU operator. Events are buffered per key and flushed as batched GRU
 * steps ({@link BatchStep}) on a {@link BatchPredictor}; each key's hidden state lives in Flink
 * keyed state as plain floats; one {@link GruPrediction} leaves per event, in per-key order.
 *
 * <p>Up to {@code gru.pipeline.depth} batches are in flight: at depth 2 or more the predictor runs
 * off the task thread (on a thread of the subtask's, or through the TaskManager's shared device
 * batcher) while the task thread gathers the next batch; results come back through the mailbox,
 * where states are written and outputs emitted, so state is only ever touched on the task thread. A
 * key with a step in flight enters no other batch until that step is applied. A full buffer with
 * every batch in flight waits with {@link MailboxExecutor#yield()}.
 *
 * <p>Under {@link EventOrder#EVENT_TIME} an event first waits in keyed state ({@link
 * WaitingEvents}: a list per key, an event-time timer per waiting timestamp) until the watermark
 * reaches its timestamp; each key's released events then enter the buffer in timestamp order.
 * Waiting events are checkpointed, rescaled and expire like the hidden states; late events are
 * refused or stepped as {@link LateEventPolicy} says.
 *
 * <p>Nothing buffered or in flight is ever checkpointed: before every checkpoint barrier, before
 * every watermark is forwarded (after it released what waited for it) and at the end of input, the
 * operator runs everything buffered and waits until every batch in flight has been applied.
 */
@Internal
public class GruOperator extends AbstractStreamOperator<GruPrediction>
        implements OneInputStreamOperator<GruEvent, GruPrediction>,
                Triggerable<Object, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    /** Reason given for events whose model output or new state is not finite. */
    public static final String NON_FINITE_OUTPUT = BatchStep.NON_FINITE_OUTPUT;

    private final GruOperatorSettings settings;
    private final FlushPolicy flushPolicy;
    private final transient MailboxExecutor mailbox;

    /** The model served; replaced whole at a checkpoint barrier when a new version is ready. */
    private transient ServedModel served;

    /** Watches the model path for new versions, or null. */
    private transient ModelWatcher watcher;

    private transient String thread;
    private transient ValueState<HiddenState> hiddenState;

    /** Each key's last events, or null without gru.state.history. */
    private transient ValueState<FeatureHistory> historyState;

    /** Each key's events waiting for the watermark (gru.order EVENT_TIME). */
    private transient ListState<WaitingEvent> waitingState;

    /**
     * Late events admitted under gru.order.late STEP and not yet gathered (by identity; counted
     * once); empty whenever the buffer is.
     */
    private transient Set<GruEvent> steppedLate;

    /** Event-time timers, one per key and waiting timestamp. */
    private transient InternalTimerService<VoidNamespace> timers;

    private transient KeyedEventBuffer<GruEvent> buffer;
    private transient ScheduledFuture<?> delayTimer;
    private transient GruOperatorMetrics metrics;
    private transient BatchStep.States<GruEvent> states;
    private transient BatchStep.Results<GruEvent> results;

    /** Batches submitted and not yet applied. */
    private transient int inFlight;

    /** The most events the buffer holds: a batch per batch that may be in flight. */
    private transient int bufferCap;

    /**
     * Buffered events that must leave now, without waiting for a full batch: those of the last size
     * or delay flush not yet in a batch. They leave in partial batches while nothing is in flight.
     */
    private transient int flushTarget;

    /** Set while a barrier, watermark or the end of input waits: everything leaves at once. */
    private transient boolean drainAll;

    /** Guards {@link #dispatch} against itself: a synchronous runner applies inside it. */
    private transient boolean dispatching;

    // Reused per batch.
    private transient List<Object> batchKeys;
    private transient List<GruEvent> batchEvents;

    GruOperator(StreamOperatorParameters<GruPrediction> parameters, GruOperatorSettings settings) {
        super(parameters);
        this.settings = settings;
        this.flushPolicy = settings.flushPolicy();
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void open() throws Exception {
        super.open();
        LOG.info(
                "{}; pipeline depth {}{}; predictor {}",
                flushPolicy.explain(),
                settings.pipelineDepth(),
                settings.deviceShared()
                        ? ", shared device batcher of " + settings.deviceMaxBatch() + " rows"
                        : "",
                settings.predictor().explain());

        thread = "gru " + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks();
        BatchPredictorFactory current = ModelVersions.pinned(settings.predictor());
        served = ServedModel.open(settings, current, thread);

        ValueStateDescriptor<HiddenState> descriptor = GruKeyedState.hiddenStateDescriptor();
        if (settings.stateTtl() != null) {
            descriptor.enableTimeToLive(HiddenStateTtl.idleAfter(settings.stateTtl()));
        }
        hiddenState = getPartitionedState(descriptor);
        if (settings.stateHistory() > 0) {
            ValueStateDescriptor<FeatureHistory> history = GruKeyedState.historyDescriptor();
            if (settings.stateTtl() != null) {
                history.enableTimeToLive(HiddenStateTtl.idleAfter(settings.stateTtl()));
            }
            historyState = getPartitionedState(history);
        }
        // Registered whatever the order: events that wait in a savepoint taken under EVENT_TIME
        // are released by the watermark (or the end of input) under ARRIVAL too.
        ListStateDescriptor<WaitingEvent> waiting = GruKeyedState.waitingDescriptor();
        if (settings.stateTtl() != null) {
            waiting.enableTimeToLive(HiddenStateTtl.idleAfter(settings.stateTtl()));
        }
        waitingState = getPartitionedState(waiting);
        timers =
                getInternalTimerService(
                        GruKeyedState.TIMER_SERVICE, VoidNamespaceSerializer.INSTANCE, this);

        buffer = new KeyedEventBuffer<>();
        steppedLate = Collections.newSetFromMap(new IdentityHashMap<>());
        bufferCap = flushPolicy.maxBatchSize() * settings.pipelineDepth();
        metrics =
                new GruOperatorMetrics(
                        getMetricGroup(),
                        buffer::size,
                        () -> inFlight,
                        () -> served.shape.fingerprint(),
                        () -> watcher == null ? "none" : watcher.candidate(),
                        () -> served.deviceBatcher);
        states = new KeyedStates();
        results = new Emitter();
        batchKeys = new ArrayList<>();
        batchEvents = new ArrayList<>();

        if (settings.modelWatchInterval() != null) {
            startWatching(current);
        }
    }

    private void startWatching(BatchPredictorFactory current) {
        watcher =
                new ModelWatcher(
                        Paths.get(settings.predictor().modelPath()),
                        served.shape.fingerprint(),
                        Paths.get(current.modelPath()),
                        file ->
                                ServedModel.open(
                                        settings,
                                        settings.predictor().forModel(file.toString()),
                                        thread + " next"),
                        (file, reason) -> metrics.recordModelRefused(),
                        thread + " model watch");
        watcher.start(settings.modelWatchInterval());
    }

    @Override
    public void processElement(StreamRecord<GruEvent> element) throws Exception {
        GruEvent event = element.getValue();
        // Read before anything else: a dispatch or a yield below sets other keys current.
        Object key = getCurrentKey();
        String problem = validate(event, served.shape);
        if (problem != null) {
            reject(event, problem);
            return;
        }
        if (admit(event)) {
            enqueue(key, event);
        }
    }

    /** Puts {@code event} of {@code key} in the buffer, waiting for room, and dispatches. */
    private void enqueue(Object key, GruEvent event) throws Exception {
        // Back-pressure: the buffer holds at most a batch per batch that may be in flight.
        while (buffer.size() >= bufferCap) {
            dispatch();
            if (buffer.size() >= bufferCap) {
                mailbox.yield();
            }
        }
        if (delayTimer == null) {
            startDelayTimer();
        }
        buffer.add(key, event);
        if (flushPolicy.isFull(buffer.size() - flushTarget)) {
            flush(FlushReason.SIZE);
        } else {
            dispatch(); // a full batch of ready keys leaves whenever a batch is free
        }
    }

    private static String validate(GruEvent event, ModelShape shape) {
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

    /**
     * Under EVENT_TIME: an event after the watermark waits in keyed state for it; a late one (at or
     * behind the watermark: its time has passed, as for Flink's own event-time operators) is
     * refused or stepped at once ({@code gru.order.late}). Returns whether {@code event} may enter
     * the buffer now.
     */
    private boolean admit(GruEvent event) throws Exception {
        if (settings.order() != EventOrder.EVENT_TIME) {
            return true;
        }
        long watermark = timers.currentWatermark();
        if (event.timestamp > watermark) {
            waitingState.add(
                    new WaitingEvent(
                            event.key,
                            event.timestamp,
                            event.eventId,
                            event.features,
                            event.origin));
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, event.timestamp);
            metrics.recordHeld();
            return false;
        }
        metrics.recordLate();
        if (settings.latePolicy() == LateEventPolicy.STEP) {
            steppedLate.add(event); // counted: not again if it is behind its key's last event too
            return true;
        }
        reject(event, late(event.timestamp, watermark, "the watermark"));
        return false;
    }

    /**
     * The reason given for an event at {@code ts} that is not after {@code limit}, {@code what}.
     */
    static String late(long ts, long limit, String what) {
        long behind = Timestamps.saturatedDifference(limit, ts);
        return "late: event time "
                + Timestamps.instant(ts)
                + " is "
                + (behind == 0 ? "at " : behind + " ms behind ")
                + what
                + " ("
                + Timestamps.instant(limit)
                + ")";
    }

    /** The watermark reached {@code timer}'s time: its key's events at or before it leave. */
    @Override
    public void onEventTime(InternalTimer<Object, VoidNamespace> timer) throws Exception {
        Iterable<WaitingEvent> waiting = waitingState.get();
        if (waiting == null) {
            return; // released by an earlier timer of the key, or expired
        }
        List<WaitingEvent> released = new ArrayList<>();
        List<WaitingEvent> kept = new ArrayList<>();
        WaitingEvents.release(waiting, timers.currentWatermark(), released, kept);
        if (released.isEmpty()) {
            return;
        }
        if (kept.isEmpty()) {
            waitingState.clear();
        } else {
            waitingState.update(kept);
        }
        metrics.recordReleased(released.size());
        Object key = timer.getKey();
        for (WaitingEvent w : released) {
            enqueue(
                    key,
                    new GruEvent(w.key(), w.timestamp(), w.eventId(), w.features())
                            .withOrigin(w.origin()));
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<Object, VoidNamespace> timer) {
        throw new IllegalStateException("The GRU operator registers no processing-time timer");
    }

    private void reject(GruEvent event, String reason) {
        metrics.recordRejected();
        output.collect(
                RejectedEvent.SIDE_OUTPUT,
                new StreamRecord<>(new RejectedEvent(event, reason), event.timestamp));
    }

    private void startDelayTimer() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        delayTimer =
                getProcessingTimeService()
                        .registerTimer(flushPolicy.deadline(now), t -> onDelayExpired());
    }

    private void onDelayExpired() throws Exception {
        delayTimer = null;
        flush(FlushReason.DELAY);
    }

    /**
     * Fires the timers the watermark reached (their events enter the buffer), runs everything
     * buffered, then forwards the watermark: no prediction leaves behind a watermark past it.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (timeServiceManager != null) {
            timeServiceManager.advanceWatermark(mark);
        }
        drain(FlushReason.WATERMARK);
        output.emitWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        drain(FlushReason.CHECKPOINT);
        if (watcher != null) {
            ServedModel next = watcher.take();
            if (next != null) {
                swap(next, checkpointId);
            }
        }
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    /**
     * Serves {@code next} from now on: nothing is buffered or in flight (the barrier drained), so
     * every key's events up to the barrier ran on the old model and all after it on the new.
     */
    private void swap(ServedModel next, long checkpointId) throws Exception {
        ServedModel old = served;
        served = next;
        metrics.recordModelSwap();
        LOG.info(
                "Checkpoint {}: now serving {} (was {}); states of the old model: {}",
                checkpointId,
                next.explain(),
                old.explain(),
                settings.mismatchPolicy());
        old.close();
    }

    @Override
    public void finish() throws Exception {
        drain(FlushReason.END_OF_INPUT);
        super.finish();
    }

    /** Everything buffered now must leave: in full batches, or partial ones when nothing runs. */
    private void flush(FlushReason reason) throws Exception {
        if (buffer.isEmpty()) {
            return;
        }
        metrics.recordFlush(reason);
        flushTarget = buffer.size();
        dispatch();
    }

    /** Runs everything buffered and waits until every batch in flight has been applied. */
    private void drain(FlushReason reason) throws Exception {
        if (!buffer.isEmpty()) {
            metrics.recordFlush(reason);
        }
        drainAll = true;
        try {
            dispatch();
            while (inFlight > 0 || !buffer.isEmpty()) {
                mailbox.yield();
            }
        } finally {
            drainAll = false;
        }
    }

    /**
     * Submits batches while fewer than the pipeline depth are in flight: a full batch of ready keys
     * at any time; a partial one only for events that must leave (a flush), and then only while
     * nothing is in flight (the predictor would idle), or at once while a barrier, watermark or the
     * end of input waits.
     */
    private void dispatch() throws Exception {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            while (!served.freeBatches.isEmpty() && buffer.hasReady()) {
                boolean full = buffer.readyKeys() >= flushPolicy.maxBatchSize();
                if (!full && !drainAll && (flushTarget == 0 || inFlight > 0)) {
                    break;
                }
                Batch<GruEvent> batch = served.freeBatches.poll();
                buffer.pollReady(flushPolicy.maxBatchSize(), batchKeys, batchEvents);
                served.step.gather(batch, batchKeys, batchEvents, states);
                batchKeys.clear();
                batchEvents.clear();
                flushTarget = Math.max(0, flushTarget - batch.size());
                inFlight++;
                if (served.runner.synchronous()) {
                    Throwable[] failure = new Throwable[1];
                    served.runner.submit(batch, (done, f) -> failure[0] = f);
                    complete(batch, failure[0]);
                } else {
                    served.runner.submit(
                            batch,
                            (done, failure) ->
                                    mailbox.execute(
                                            () -> complete(done, failure),
                                            "GruOperator#applyBatch"));
                }
            }
        } finally {
            dispatching = false;
        }
        if (buffer.isEmpty()) {
            flushTarget = 0;
            if (delayTimer != null) {
                delayTimer.cancel(false);
                delayTimer = null;
            }
        } else if (delayTimer == null && flushTarget == 0) {
            startDelayTimer(); // events left behind a key in flight get a deadline of their own
        }
    }

    /** Applies a batch that ran: states, outputs, refusals; then dispatches what may leave. */
    private void complete(Batch<GruEvent> batch, Throwable failure) throws Exception {
        inFlight--;
        if (failure != null) {
            if (failure instanceof Exception) {
                throw (Exception) failure;
            }
            throw new Exception("GRU batch inference failed.", failure);
        }
        metrics.recordBatch(batch.size(), batch.predictorNanos());
        metrics.recordPredictions(served.step.apply(batch, states, results));
        buffer.complete(batch.keys(), batch.size());
        served.freeBatches.add(batch);
        dispatch();
    }

    /**
     * The keys' states in Flink keyed state: zero for a new key; a state of another model as the
     * policy says. With {@code gru.state.history}, each key's last events too.
     */
    private final class KeyedStates implements BatchStep.States<GruEvent> {

        /** The history to rebuild the state just read from, or null. */
        private float[] rewarmFrom;

        @Override
        public HiddenState read(Object key) throws Exception {
            setCurrentKey(key);
            ModelShape shape = served.shape;
            MismatchDecision decision =
                    MismatchDecision.decide(
                            settings.mismatchPolicy(),
                            key,
                            hiddenState.value(),
                            shape.fingerprint(),
                            shape.stateSize(),
                            shape.inputSize(),
                            () -> historyState == null ? null : historyState.value());
            switch (decision.outcome()) {
                case KEPT:
                    metrics.recordStateKept();
                    break;
                case RESET:
                    metrics.recordStateReset();
                    break;
                default:
                    break; // a rebuilt state is counted once written: rebuilt(key)
            }
            rewarmFrom = decision.rewarmFrom();
            return decision.state();
        }

        @Override
        public String refusal(HiddenState state, GruEvent event) {
            if (settings.order() != EventOrder.EVENT_TIME) {
                return null;
            }
            boolean counted = !steppedLate.isEmpty() && steppedLate.remove(event);
            if (event.timestamp >= state.lastEventTime()) {
                return null;
            }
            if (!counted) {
                metrics.recordLate();
            }
            return settings.latePolicy() == LateEventPolicy.STEP
                    ? null
                    : late(event.timestamp, state.lastEventTime(), "the key's last stepped event");
        }

        @Override
        public float[] rewarm(Object key) {
            float[] history = rewarmFrom;
            rewarmFrom = null;
            return history;
        }

        @Override
        public void rebuilt(Object key) {
            metrics.recordStateRewarmed();
        }

        @Override
        public void write(Object key, HiddenState state, GruEvent event) throws Exception {
            setCurrentKey(key);
            hiddenState.update(state);
            if (historyState != null) {
                FeatureHistory history = historyState.value();
                if (history == null || history.features() != event.features.length) {
                    history = FeatureHistory.empty(event.features.length, settings.stateHistory());
                } else {
                    history = history.withCapacity(settings.stateHistory());
                }
                history.append(event.features, 0);
                historyState.update(history);
            }
        }
    }

    /** Predictions to the main output, refusals to {@link RejectedEvent#SIDE_OUTPUT}. */
    private final class Emitter implements BatchStep.Results<GruEvent> {
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
                                    state.modelFingerprint()),
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
                    RejectedEvent.SIDE_OUTPUT,
                    new StreamRecord<>(new RejectedEvent(event, reason), event.timestamp));
        }
    }

    /** For tests: events waiting in the buffer. */
    int bufferedEvents() {
        return buffer.size();
    }

    /** For tests: batches submitted and not yet applied. */
    int batchesInFlight() {
        return inFlight;
    }

    /** For tests: the fingerprint of the model served. */
    long servedFingerprint() {
        return served.shape.fingerprint();
    }

    /** For tests: one look of the model watcher, as it takes every interval. */
    void lookForNewModel() throws Exception {
        watcher.look();
    }

    /** For tests: the operator's metrics. */
    GruOperatorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() throws Exception {
        // In reverse order of acquisition: the watcher (and a candidate not taken), then the model
        // served (its runner's threads, then its predictor or its hold on the shared batcher).
        Exception failure = null;
        try {
            if (watcher != null) {
                watcher.close();
            }
        } catch (Exception e) {
            failure = e;
        }
        watcher = null;
        try {
            if (served != null) {
                served.close();
            }
        } catch (Exception e) {
            failure = addSuppressed(failure, e);
        }
        served = null;
        try {
            super.close();
        } catch (Exception e) {
            failure = addSuppressed(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static Exception addSuppressed(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
