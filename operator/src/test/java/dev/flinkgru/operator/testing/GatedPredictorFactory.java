package dev.flinkgru.operator.testing;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The counting fake behind a gate, for pipeline tests: each call records the inputs of its rows,
 * then waits until the test lets it through ({@link Gate#pass}), so that batches stay in flight for
 * as long as a test needs. The gate of a factory is found by the factory's name.
 */
public final class GatedPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

    private final String name;
    private final CountingPredictorFactory counting;

    /** What a gate saw, and how it lets calls through. */
    public static final class Gate {
        private final Semaphore passes = new Semaphore(0);
        private final Semaphore entered = new Semaphore(0);
        private final List<List<Float>> calls = new CopyOnWriteArrayList<>();

        /** Lets {@code calls} more calls through. */
        public void pass(int calls) {
            passes.release(calls);
        }

        /** Lets every call through from now on. */
        public void open() {
            passes.release(1_000_000);
        }

        /** Waits until {@code calls} more calls have entered the gate (recorded their rows). */
        public void awaitEntered(int calls) throws InterruptedException {
            if (!entered.tryAcquire(calls, 60, TimeUnit.SECONDS)) {
                throw new AssertionError("no " + calls + " calls entered the gate in 60 s");
            }
        }

        /** The x0 of every row, per call, in the order the calls entered. */
        public List<List<Float>> calls() {
            return calls;
        }
    }

    public GatedPredictorFactory(String name) {
        this.name = name;
        this.counting = new CountingPredictorFactory(name, 1L);
        GATES.put(name, new Gate());
    }

    /** The gate of the factory called {@code name}. */
    public static Gate gate(String name) {
        return GATES.get(name);
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) {
        BatchPredictor inner = counting.open(inputSize, maxBatchSize);
        Gate gate = GATES.get(name);
        return new BatchPredictor() {
            @Override
            public ModelShape shape() {
                return inner.shape();
            }

            @Override
            public void step(int batch, float[] x, float[] h, float[] y, float[] hNext)
                    throws Exception {
                List<Float> rows = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    rows.add(x[b * inputSize]);
                }
                gate.calls.add(rows);
                gate.entered.release();
                if (!gate.passes.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the gate of " + name + " stayed shut");
                }
                inner.step(batch, x, h, y, hNext);
            }

            @Override
            public void close() throws Exception {
                inner.close();
            }
        };
    }

    @Override
    public String explain() {
        return "gated counting fake " + name;
    }
}
