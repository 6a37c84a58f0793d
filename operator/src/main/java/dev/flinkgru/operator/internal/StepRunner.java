package dev.flinkgru.operator.internal;

import java.util.function.BiConsumer;
import org.apache.flink.annotation.Internal;

/**
 * Runs the predictor calls of a subtask's batches ({@link BatchStep#run}): on the task thread, on a
 * thread of the subtask's own, or through a device batcher shared with other subtasks. Every state
 * access stays on the task thread: a runner touches only the batch.
 */
@Internal
public interface StepRunner extends AutoCloseable {

    /**
     * Starts the predictor calls of {@code batch}; {@code done} gets the batch and null, or the
     * failure that must fail the task, on the runner's thread (the caller's, if {@link
     * #synchronous()}).
     */
    void submit(Batch batch, BiConsumer<Batch, Throwable> done);

    /** Whether {@link #submit} calls {@code done} before it returns, on the caller's thread. */
    boolean synchronous();

    /** Stops the runner's threads and waits for a call in progress; idempotent. */
    @Override
    void close() throws Exception;

    /** Runs each batch on the caller's thread: {@code gru.pipeline.depth} 1. */
    static StepRunner inline(BatchStep step) {
        return new StepRunner() {
            @Override
            public void submit(Batch batch, BiConsumer<Batch, Throwable> done) {
                Throwable failure = null;
                try {
                    step.run(batch);
                } catch (Throwable t) {
                    failure = t;
                }
                done.accept(batch, failure);
            }

            @Override
            public boolean synchronous() {
                return true;
            }

            @Override
            public void close() {}
        };
    }
}
