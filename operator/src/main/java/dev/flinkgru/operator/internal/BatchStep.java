package dev.flinkgru.operator.internal;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.ModelContractException;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.operator.predictor.PredictorOptions;
import dev.flinkgru.state.HiddenState;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * One batched GRU step, in three parts: {@link #gather} (read each row's state and input), {@link
 * #run} (the predictor calls), {@link #apply} (check the outputs, write the new states, emit). The
 * operator and the offline state bootstrap both step through it, so both refuse the same outputs.
 * It is the one path of every batch, whichever {@link StepRunner} chooses its thread: {@link #run}
 * runs the rebuilding rounds of rows with history, then the batch, then isolates the rows the model
 * fails on, each call on the step's predictor: the subtask's own, or the client of the shared
 * {@link DeviceBatcher}.
 *
 * <p>A model that breaks its contract ({@link ModelContractException}) fails the task at once. Any
 * other predictor call that throws is isolated: the batch is split in halves and each half run
 * again, down to single rows, so that the rows the model fails on are refused with the model's
 * message (their keys keep their states) and every other row proceeds. A model that fails on every
 * row still fails the task: once more than {@code maxFailedRows} rows have failed since the last
 * call that produced any output, {@link #run} throws.
 *
 * <p>{@link #gather} and {@link #apply} touch state and must run on the task thread; {@link #run}
 * touches only the batch (and its own scratch rows) and the predictor, and may run on another
 * thread, for several batches at once if the predictor allows it (the device batcher's client
 * does).
 *
 * @param <E> the events (the operator's are {@code GruEvent}s)
 */
@Internal
public final class BatchStep<E> {

    /** Reason given for events whose model output or new state is not finite. */
    public static final String NON_FINITE_OUTPUT =
            "model output is not finite (NaN or infinity); the key's state was kept";

    /** Prefix of the reason given for events the model failed on. */
    public static final String MODEL_FAILED = "the model failed on this event: ";

    /** How a step reads and writes the states of its keys. */
    public interface States<E> {
        /** The state {@code key} steps from: its own, or a zero state (new key, or reset). */
        HiddenState read(Object key) throws Exception;

        /**
         * Called right after {@link #read}: the events to run through the model from the state read
         * before {@code key}'s next event, oldest first, F floats each (a state rebuilt from the
         * key's history), or null for none.
         */
        default float[] rewarm(Object key) throws Exception {
            return null;
        }

        /**
         * Why {@code event} must not step from {@code state}, its key's state just read (a late
         * event), or null: a refused row runs nothing and its key keeps its state.
         */
        default String refusal(HiddenState state, E event) throws Exception {
            return null;
        }

        /** Stores {@code key}'s new state, after its {@code event}. */
        void write(Object key, HiddenState state, E event) throws Exception;

        /**
         * Called right after {@link #write} when the state written was rebuilt from the history
         * {@link #rewarm} gave: the key's state is now the new model's over its history.
         */
        default void rebuilt(Object key) throws Exception {}
    }

    /** Where a step's results go. */
    public interface Results<E> {
        /** {@code event} produced {@code output}; {@code state} is its key's new state. */
        void predicted(E event, float[] output, HiddenState state) throws Exception;

        /** {@code event} was refused for {@code reason}; its key's state is unchanged. */
        void refused(E event, String reason) throws Exception;
    }

    private final BatchPredictor predictor;
    private final ModelShape shape;
    private final int maxBatch;
    private final int maxFailedRows;
    private final Function<E, float[]> features;
    private final ToLongFunction<E> timestamp;

    /** Rows failed since the last predictor call that produced any output. */
    private int failedRowsInARow;

    /**
     * @param predictor the subtask's predictor
     * @param maxBatch the largest batch
     * @param maxFailedRows rows the model may fail on in a row before the task fails
     * @param features an event's F features
     * @param timestamp an event's time
     */
    public BatchStep(
            BatchPredictor predictor,
            int maxBatch,
            int maxFailedRows,
            Function<E, float[]> features,
            ToLongFunction<E> timestamp) {
        Preconditions.checkArgument(maxBatch >= 1, "maxBatch must be at least 1, was %s", maxBatch);
        Preconditions.checkArgument(
                maxFailedRows >= 0, "maxFailedRows must not be negative, was %s", maxFailedRows);
        this.predictor = predictor;
        this.shape = predictor.shape();
        this.maxBatch = maxBatch;
        this.maxFailedRows = maxFailedRows;
        this.features = features;
        this.timestamp = timestamp;
    }

    /** The model's sizes. */
    public ModelShape shape() {
        return shape;
    }

    /** A new, empty batch for this step's sizes. */
    public Batch<E> newBatch() {
        return new Batch<>(maxBatch, shape.inputSize(), shape.stateSize(), shape.outputSize());
    }

    /** Fills {@code batch} with the rows of {@code keys} (distinct) and their {@code events}. */
    public void gather(Batch<E> batch, List<Object> keys, List<E> events, States<E> states)
            throws Exception {
        int n = keys.size();
        Preconditions.checkArgument(n <= maxBatch, "%s rows exceed the batch of %s", n, maxBatch);
        batch.clear();
        int f = shape.inputSize();
        int s = shape.stateSize();
        for (int i = 0; i < n; i++) {
            HiddenState state = states.read(keys.get(i));
            float[] history = states.rewarm(keys.get(i));
            E event = events.get(i);
            batch.keys[i] = keys.get(i);
            batch.events[i] = event;
            batch.states[i] = state;
            batch.failures[i] = states.refusal(state, event);
            if (history != null && history.length > 0) {
                batch.history[i] = history;
                batch.rewarming++;
            }
            System.arraycopy(state.values(), 0, batch.h, i * s, s);
            System.arraycopy(features.apply(event), 0, batch.x, i * f, f);
        }
        batch.size = n;
    }

    /**
     * Runs {@code batch} through the predictor: the history of its rows that have one, then the
     * batch, isolating the rows the model fails on.
     */
    public void run(Batch<E> batch) throws Exception {
        if (batch.rewarming > 0) {
            rewarm(batch);
        }
        try {
            call(batch.size, batch.x, batch.h, batch.y, batch.hNext, batch);
        } catch (Exception e) {
            recover(batch, e);
            return;
        }
        succeeded();
    }

    /**
     * Runs {@code batch} as {@link #run(Batch)} does, then hands {@code done} the batch and null,
     * or what it threw (which must fail the task): how a {@link StepRunner} runs a batch on the
     * thread it chose.
     */
    public void run(Batch<E> batch, BiConsumer<Batch<E>, Throwable> done) {
        Throwable failure = null;
        try {
            run(batch);
        } catch (Throwable t) {
            failure = t;
        }
        done.accept(batch, failure);
    }

    /**
     * After the call of the whole of {@code batch} failed with {@code failure}: fails the task if
     * the model broke its contract, else runs the rows again in halves, down to single rows, so
     * that only the rows the model fails on are refused.
     *
     * @throws Exception for a broken contract, an interrupted call (the runner closes), or once
     *     more than {@code maxFailedRows} rows have failed in a row
     */
    private void recover(Batch<E> batch, Exception failure) throws Exception {
        rethrowIfNotTheRows(failure);
        if (batch.size == 1) {
            failRow(batch, 0, failure, false);
        } else {
            boolean anyOk = isolate(batch, 0, batch.size / 2, failure);
            anyOk |= isolate(batch, batch.size / 2, batch.size, failure);
            if (anyOk) {
                succeeded();
            }
        }
    }

    /**
     * Runs the history of every row that has one through the model, round by round from the state
     * read (round t holds the t-th oldest event of each row whose history is that long), so that
     * the row's state is the new model's over its history before its event runs. A row the model
     * fails on, or whose rebuilt state is not finite, is refused; its key keeps its state.
     */
    private void rewarm(Batch<E> batch) throws Exception {
        int f = shape.inputSize();
        int s = shape.stateSize();
        int longest = 0;
        for (int i = 0; i < batch.size; i++) {
            if (batch.history[i] != null) {
                longest = Math.max(longest, batch.history[i].length / f);
            }
        }
        Batch<E> scratch = batch.scratch();
        int[] rows = new int[batch.size];
        for (int t = 0; t < longest; t++) {
            int n = 0;
            for (int i = 0; i < batch.size; i++) {
                float[] history = batch.history[i];
                if (history != null && history.length / f > t && batch.failures[i] == null) {
                    System.arraycopy(history, t * f, scratch.x, n * f, f);
                    System.arraycopy(batch.h, i * s, scratch.h, n * s, s);
                    rows[n++] = i;
                }
            }
            if (n == 0) {
                continue;
            }
            try {
                call(n, scratch.x, scratch.h, scratch.y, scratch.hNext, batch);
            } catch (Exception e) {
                rethrowIfNotTheRows(e);
                rewarmOneByOne(batch, rows, n);
                continue;
            }
            for (int k = 0; k < n; k++) {
                keepRewarmed(batch, rows[k], scratch.hNext, k);
            }
            succeeded();
        }
    }

    /** After a round of rebuilding failed: each of its rows alone, to find the ones to refuse. */
    private void rewarmOneByOne(Batch<E> batch, int[] rows, int n) throws Exception {
        int f = shape.inputSize();
        int s = shape.stateSize();
        Batch<E> scratch = batch.scratch();
        Batch<E> single = batch.single();
        for (int k = 0; k < n; k++) {
            int row = rows[k];
            System.arraycopy(scratch.x, k * f, single.x, 0, f);
            System.arraycopy(batch.h, row * s, single.h, 0, s);
            try {
                call(1, single.x, single.h, single.y, single.hNext, batch);
            } catch (Exception e) {
                rethrowIfNotTheRows(e);
                failRow(batch, row, e, true);
                continue;
            }
            keepRewarmed(batch, row, single.hNext, 0);
            succeeded();
        }
    }

    private void keepRewarmed(Batch<E> batch, int row, float[] from, int fromRow) {
        int s = shape.stateSize();
        if (!allFinite(from, fromRow * s, s)) {
            batch.failures[row] = NON_FINITE_OUTPUT;
            return;
        }
        System.arraycopy(from, fromRow * s, batch.h, row * s, s);
    }

    /** A call produced output: the count of failed rows in a row starts again. */
    private synchronized void succeeded() {
        failedRowsInARow = 0;
    }

    /**
     * Runs rows [from, to) of {@code batch} in a call of their own; splits again on failure.
     * Returns whether any row produced output.
     */
    private boolean isolate(Batch<E> batch, int from, int to, Exception previous) throws Exception {
        int n = to - from;
        int f = shape.inputSize();
        int s = shape.stateSize();
        int o = shape.outputSize();
        Batch<E> scratch = batch.scratch();
        System.arraycopy(batch.x, from * f, scratch.x, 0, n * f);
        System.arraycopy(batch.h, from * s, scratch.h, 0, n * s);
        try {
            call(n, scratch.x, scratch.h, scratch.y, scratch.hNext, batch);
        } catch (Exception e) {
            rethrowIfNotTheRows(e);
            if (n == 1) {
                failRow(batch, from, e, true);
                return false;
            }
            int mid = from + n / 2;
            boolean anyOk = isolate(batch, from, mid, e);
            return isolate(batch, mid, to, e) || anyOk;
        }
        System.arraycopy(scratch.y, 0, batch.y, from * o, n * o);
        System.arraycopy(scratch.hNext, 0, batch.hNext, from * s, n * s);
        succeeded();
        return true;
    }

    /**
     * Throws what no row is to blame for: a model that breaks its contract fails the task; an
     * interrupted call (the runner closes) ends the run.
     */
    private static void rethrowIfNotTheRows(Exception e) throws Exception {
        if (e instanceof ModelContractException) {
            throw new Exception("GRU batch inference failed.", e);
        }
        if (e instanceof InterruptedException) {
            throw e;
        }
    }

    private void call(int n, float[] x, float[] h, float[] y, float[] hNext, Batch<E> batch)
            throws Exception {
        long began = System.nanoTime();
        try {
            predictor.step(n, x, h, y, hNext);
        } finally {
            batch.predictorNanos += System.nanoTime() - began;
            batch.predictorCalls++;
        }
    }

    private synchronized void failRow(Batch<E> batch, int row, Exception e, boolean isolated)
            throws Exception {
        batch.failures[row] = MODEL_FAILED + firstLine(e);
        failedRowsInARow++;
        if (failedRowsInARow > maxFailedRows) {
            throw new Exception(
                    "GRU batch inference failed: the model failed on "
                            + failedRowsInARow
                            + " rows in a row"
                            + (isolated ? ", each run on its own" : "")
                            + " (more than "
                            + PredictorOptions.PREDICTOR_MAX_FAILED_ROWS.key()
                            + " = "
                            + maxFailedRows
                            + ")",
                    e);
        }
    }

    /**
     * Writes the new states of the rows that succeeded with finite outputs, emits their outputs,
     * and refuses the others; returns the number of predictions emitted.
     */
    public int apply(Batch<E> batch, States<E> states, Results<E> results) throws Exception {
        int s = shape.stateSize();
        int o = shape.outputSize();
        int emitted = 0;
        for (int i = 0; i < batch.size; i++) {
            E event = batch.events[i];
            if (batch.failures[i] != null) {
                results.refused(event, batch.failures[i]);
                continue;
            }
            if (!allFinite(batch.y, i * o, o) || !allFinite(batch.hNext, i * s, s)) {
                // One bad step must not poison the key for good: refuse it, keep the state.
                results.refused(event, NON_FINITE_OUTPUT);
                continue;
            }
            HiddenState state = batch.states[i];
            state.advance(batch.hNext, i * s, timestamp.applyAsLong(event));
            states.write(batch.keys[i], state, event);
            if (batch.history[i] != null) {
                states.rebuilt(batch.keys[i]);
            }
            results.predicted(event, Arrays.copyOfRange(batch.y, i * o, (i + 1) * o), state);
            emitted++;
        }
        return emitted;
    }

    private static boolean allFinite(float[] values, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (!Float.isFinite(values[i])) {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage().trim();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
