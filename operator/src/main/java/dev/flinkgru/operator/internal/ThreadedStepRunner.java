package dev.flinkgru.operator.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.flink.annotation.Internal;

/**
 * Runs a subtask's batches one after another on a thread of its own, so that the task thread
 * gathers the next batch and applies the last one while the predictor computes.
 */
@Internal
public final class ThreadedStepRunner implements StepRunner {

    private final BatchStep step;
    private final ExecutorService executor;

    /**
     * @param step the subtask's step (its predictor is used on the runner's thread only)
     * @param threadName the runner thread's name
     */
    public ThreadedStepRunner(BatchStep step, String threadName) {
        this.step = step;
        this.executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread thread = new Thread(r, threadName);
                            thread.setDaemon(true);
                            return thread;
                        });
    }

    @Override
    public void submit(Batch batch, BiConsumer<Batch, Throwable> done) {
        executor.execute(
                () -> {
                    Throwable failure = null;
                    try {
                        step.run(batch);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    done.accept(batch, failure);
                });
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
