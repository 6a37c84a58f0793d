package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the calls and rows of the predictors a factory opens, all subtasks of the JVM together:
 * with a shared device batcher these are the device's calls. For the bench's mean device batch.
 */
final class MeteredPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private static final AtomicLong CALLS = new AtomicLong();
    private static final AtomicLong ROWS = new AtomicLong();

    private final BatchPredictorFactory delegate;

    MeteredPredictorFactory(BatchPredictorFactory delegate) {
        this.delegate = delegate;
    }

    /** Forgets the calls counted so far. */
    static void reset() {
        CALLS.set(0);
        ROWS.set(0);
    }

    /** Mean rows per call since the last {@link #reset()}, 0 if none. */
    static double meanRowsPerCall() {
        long calls = CALLS.get();
        return calls == 0 ? 0 : ROWS.get() / (double) calls;
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        BatchPredictor inner = delegate.open(inputSize, maxBatchSize);
        return new BatchPredictor() {
            @Override
            public ModelShape shape() {
                return inner.shape();
            }

            @Override
            public void step(int batch, float[] x, float[] h, float[] y, float[] hNext)
                    throws Exception {
                inner.step(batch, x, h, y, hNext);
                CALLS.incrementAndGet();
                ROWS.addAndGet(batch);
            }

            @Override
            public void close() throws Exception {
                inner.close();
            }
        };
    }

    @Override
    public String explain() {
        return delegate.explain();
    }

    @Override
    public String sharingKey() {
        return delegate.sharingKey();
    }
}
