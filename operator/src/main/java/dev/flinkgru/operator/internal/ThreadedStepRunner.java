package dev.flinkgru.operator.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Preconditions;

/**
 * Runs a subtask's batches ({@link BatchStep#run}) on threads of its own, so that the task thread
 * gathers the next batch and applies the last one while the predictor computes. One thread for a
 * predictor of the subtask's own (its batches run one after another); one per batch that may be in
 * flight for the client of a shared {@link DeviceBatcher}, so that all of them wait there at once
 * and join other subtasks' batches in one device call.
 *
 * @param <E> the events
 */
@Internal
public final class ThreadedStepRunner<E> implements StepRunner<E> {

    private final BatchStep<E> step;
    private final ExecutorService executor;

    /**
     * @param step the subtask's step (its predictor is used on the runner's threads only)
     * @param threadName the runner threads' name
     * @param threads batches run at once; more than one only if the step's predictor allows calls
     *     from several threads at once
     */
    public ThreadedStepRunner(BatchStep<E> step, String threadName, int threads) {
        Preconditions.checkArgument(threads >= 1, "threads must be at least 1, was %s", threads);
        this.step = step;
        AtomicInteger started = new AtomicInteger();
        this.executor =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            int n = started.incrementAndGet();
                            Thread thread =
                                    new Thread(r, threads == 1 ? threadName : threadName + " " + n);
                            thread.setDaemon(true);
                            return thread;
                        });
    }

    @Override
    public void submit(Batch<E> batch, BiConsumer<Batch<E>, Throwable> done) {
        executor.execute(() -> step.run(batch, done));
    }

    @Override
    public boolean synchronous() {
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        // A native call cannot be interrupted: wait for it, so the predictor is closed after.
        if (!executor.awaitTermination(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("The predictor thread did not stop within 5 minutes");
        }
    }
}
