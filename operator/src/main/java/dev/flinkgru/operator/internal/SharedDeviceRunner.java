package dev.flinkgru.operator.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.flink.annotation.Internal;

/**
 * Runs a subtask's batches through the device batcher its TaskManager shares: several of the
 * subtask's batches (up to the pipeline depth) wait there at once, joined with other subtasks' into
 * larger device calls. A batch whose call fails is isolated on a thread of the subtask's own (its
 * rows run again through the batcher, see {@link BatchStep#recover}).
 */
@Internal
public final class SharedDeviceRunner implements StepRunner {

    private final DeviceBatcher batcher;
    private final BatchStep step;
    private final ExecutorService recovery;

    /**
     * @param batcher the shared batcher (the caller holds a lease on it)
     * @param step the subtask's step, whose predictor is {@code batcher.client()}
     * @param threadName the name of the thread that isolates failed batches
     */
    public SharedDeviceRunner(DeviceBatcher batcher, BatchStep step, String threadName) {
        this.batcher = batcher;
        this.step = step;
        this.recovery =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread thread = new Thread(r, threadName);
                            thread.setDaemon(true);
                            return thread;
                        });
    }

    @Override
    public void submit(Batch batch, BiConsumer<Batch, Throwable> done) {
        long began = System.nanoTime();
        batcher.submit(batch.size, batch.x, batch.h, batch.y, batch.hNext)
                .whenComplete(
                        (ok, error) -> {
                            batch.predictorNanos += System.nanoTime() - began;
                            batch.predictorCalls++;
                            if (error == null) {
                                step.succeeded();
                                done.accept(batch, null);
                                return;
                            }
                            Throwable cause =
                                    error instanceof CompletionException && error.getCause() != null
                                            ? error.getCause()
                                            : error;
                            if (!(cause instanceof Exception)) {
                                done.accept(batch, cause);
                                return;
                            }
                            recovery.execute(
                                    () -> {
                                        Throwable failure = null;
                                        try {
                                            step.recover(batch, (Exception) cause);
                                        } catch (Throwable t) {
                                            failure = t;
                                        }
                                        done.accept(batch, failure);
                                    });
                        });
    }

    @Override
    public boolean synchronous() {
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        recovery.shutdownNow();
        recovery.awaitTermination(5, TimeUnit.MINUTES);
    }
}
