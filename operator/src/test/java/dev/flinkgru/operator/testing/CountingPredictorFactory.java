package dev.flinkgru.operator.testing;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A deterministic fake model for operator tests: F=1, H=2, L=1, O=2. A step adds the input to state
 * 0 and one to state 1, and outputs the new state: y = (running sum of x, step count). It records
 * the size of every batch it ran (calls that threw included), per factory name. An input of {@link
 * #POISON} makes the output NaN; a call with an input of {@link #FAIL} throws.
 */
public final class CountingPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    /** The input that makes the fake model return NaN. */
    public static final float POISON = 666f;

    /**
     * The input the fake model fails on: a call with such a row throws, like an embedding given an
     * id outside its range, whatever the other rows are.
     */
    public static final float FAIL = -1f;

    /** The message of the fake model's failure. */
    public static final String FAILURE_MESSAGE = "index -1 is out of range for the embedding";

    private static final Map<String, List<Integer>> BATCHES = new ConcurrentHashMap<>();

    private final String name;
    private final long fingerprint;

    public CountingPredictorFactory(String name, long fingerprint) {
        this.name = name;
        this.fingerprint = fingerprint;
        BATCHES.put(name, new CopyOnWriteArrayList<>());
    }

    /** Sizes of the batches run by predictors of the factory called {@code name}. */
    public static List<Integer> batches(String name) {
        return BATCHES.get(name);
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) {
        ModelShape shape = new ModelShape(inputSize, 2, 1, 2, fingerprint);
        List<Integer> batches = BATCHES.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        return new BatchPredictor() {
            @Override
            public ModelShape shape() {
                return shape;
            }

            @Override
            public void step(int batch, float[] x, float[] h, float[] y, float[] hNext) {
                if (batch > maxBatchSize) {
                    throw new IllegalStateException("batch " + batch + " > " + maxBatchSize);
                }
                batches.add(batch);
                for (int b = 0; b < batch; b++) {
                    if (x[b * inputSize] == FAIL) {
                        throw new IllegalArgumentException(FAILURE_MESSAGE);
                    }
                }
                for (int b = 0; b < batch; b++) {
                    hNext[2 * b] = h[2 * b] + x[b * inputSize];
                    hNext[2 * b + 1] = h[2 * b + 1] + 1;
                    y[2 * b] = hNext[2 * b];
                    y[2 * b + 1] = hNext[2 * b + 1];
                    if (x[b * inputSize] == POISON) {
                        hNext[2 * b] = Float.NaN;
                        y[2 * b] = Float.NaN;
                    }
                }
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public String explain() {
        return "counting fake " + name;
    }
}
