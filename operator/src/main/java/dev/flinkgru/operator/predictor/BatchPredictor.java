package dev.flinkgru.operator.predictor;

import org.apache.flink.annotation.PublicEvolving;

/**
 * One batched GRU step: B inputs x[B,F] and states h[B,L·H] in, outputs y[B,O] and new states
 * h'[B,L·H] out. Rows are packed densely in plain float arrays (row b of x starts at b·F; a state
 * row is layer-major, layer 0's H values first).
 *
 * <p>Not thread-safe: each operator subtask owns one instance.
 */
@PublicEvolving
public interface BatchPredictor extends AutoCloseable {

    /** Sizes of the model this predictor runs. */
    ModelShape shape();

    /**
     * Runs one step for {@code batch} rows. The arrays may be longer than needed; only the first
     * {@code batch} rows are read and written.
     */
    void step(int batch, float[] x, float[] h, float[] y, float[] hNext) throws Exception;
}
