package dev.flinkgru.operator.internal;

import java.util.function.BiConsumer;
import org.apache.flink.annotation.Internal;

/**
 * Chooses the thread that runs a subtask's batches, and nothing else: every batch runs as {@link
 * BatchStep#run} says (its rebuilding rounds, its call, the isolation of failed rows), on the task
 * thread ({@link #inline}) or on threads of the subtask's own ({@link ThreadedStepRunner}), whether
 * the step's predictor is the subtask's own or the client of a shared {@link DeviceBatcher}. Every
 * state access stays on the task thread: a runner touches only the batch, and never calls a
 * predictor or a device batcher itself ({@code OneRunPathTest} checks).
 *
 * @param <E> the events
 */
@Internal
public interface StepRunner<E> extends AutoCloseable {

    /**
     * Starts {@link BatchStep#run} of {@code batch}; {@code done} gets the batch and null, or the
     * failure that must fail the task, on the runner's thread (the caller's, if {@link
     * #synchronous()}).
     */
    void submit(Batch<E> batch, BiConsumer<Batch<E>, Throwable> done);

    /** Whether {@link #submit} calls {@code done} before it returns, on the caller's thread. */
    boolean synchronous();

    /** Stops the runner's threads and waits for a call in progress; idempotent. */
    @Override
    void close() throws Exception;

    /** Runs each batch on the caller's thread: {@code gru.pipeline.depth} 1. */
    static <E> StepRunner<E> inline(BatchStep<E> step) {
        return new StepRunner<>() {
            @Override
            public void submit(Batch<E> batch, BiConsumer<Batch<E>, Throwable> done) {
                step.run(batch, done);
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
