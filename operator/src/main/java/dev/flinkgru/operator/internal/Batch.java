package dev.flinkgru.operator.internal;

import dev.flinkgru.state.HiddenState;
import org.apache.flink.annotation.Internal;

/**
 * One batch of a step: its rows (distinct keys, one event each, the keys' states) and the arrays
 * the predictor reads and writes, sized for the largest batch and reused. A batch is filled on the
 * task thread, run by a predictor (on the task thread or another), and applied on the task thread
 * again; it never holds native memory.
 *
 * @param <E> the events
 */
@Internal
public final class Batch<E> {

    final Object[] keys;
    final E[] events;
    final HiddenState[] states;
    final float[] x;
    final float[] h;
    final float[] y;
    final float[] hNext;

    /** Per row, why the model failed on it, or null. */
    final String[] failures;

    /** Per row, events to run from its state before its event (oldest first, F each), or null. */
    final float[][] history;

    /** Rows with a history to run. */
    int rewarming;

    int size;

    /** Wall time of the predictor calls of this batch, nanoseconds. */
    long predictorNanos;

    /** Predictor calls this batch took (more than one when failed rows were isolated). */
    int predictorCalls;

    /**
     * Rows in and out of isolated calls and rebuilding rounds, packed from row 0; made when first
     * needed. Each batch has its own, so batches may run at once (through the device batcher).
     */
    private Batch<E> scratch;

    /** One row, for a rebuilding round that failed; made when first needed. */
    private Batch<E> single;

    @SuppressWarnings("unchecked")
    Batch(int maxBatch, int inputSize, int stateSize, int outputSize) {
        keys = new Object[maxBatch];
        events = (E[]) new Object[maxBatch];
        states = new HiddenState[maxBatch];
        failures = new String[maxBatch];
        history = new float[maxBatch][];
        x = new float[maxBatch * inputSize];
        h = new float[maxBatch * stateSize];
        y = new float[maxBatch * outputSize];
        hNext = new float[maxBatch * stateSize];
    }

    /** This batch's scratch rows, as many as the batch has. */
    Batch<E> scratch() {
        if (scratch == null) {
            scratch = sameSizes(keys.length);
        }
        return scratch;
    }

    /** This batch's one scratch row. */
    Batch<E> single() {
        if (single == null) {
            single = sameSizes(1);
        }
        return single;
    }

    private Batch<E> sameSizes(int rows) {
        int max = keys.length;
        return new Batch<>(rows, x.length / max, h.length / max, y.length / max);
    }

    /** Rows in this batch. */
    public int size() {
        return size;
    }

    /** Wall time of this batch's predictor calls, nanoseconds. */
    public long predictorNanos() {
        return predictorNanos;
    }

    /** The keys of the rows, {@link #size()} of them. */
    public Object[] keys() {
        return keys;
    }

    /** Forgets the rows, so that the batch can be filled again. */
    void clear() {
        for (int i = 0; i < size; i++) {
            keys[i] = null;
            events[i] = null;
            states[i] = null;
            failures[i] = null;
            history[i] = null;
        }
        size = 0;
        rewarming = 0;
        predictorNanos = 0;
        predictorCalls = 0;
    }
}
