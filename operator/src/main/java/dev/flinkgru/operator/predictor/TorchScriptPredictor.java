package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Runs the model contract {@code forward(x[B,F], h[L,B,H]) -> (y[B,O], h'[L,B,H])} through a DJL
 * predictor of its own on a shared model. Batches are padded up to a {@link ShapeBuckets} size;
 * padded rows are zero and never copied out. Native arrays live only inside one {@link #step}.
 */
public final class TorchScriptPredictor implements BatchPredictor {

    private final SharedModels.Lease lease;
    private final Predictor<NDList, NDList> predictor;
    private final NDManager manager;
    private final ShapeBuckets buckets;
    private final ModelShape shape;

    /** Padded x[bucket,F], reused across steps. */
    private final float[] xPadded;

    /** Padded h[L,bucket,H], reused across steps. */
    private final float[] hPadded;

    TorchScriptPredictor(
            SharedModels.Lease lease, Device device, ShapeBuckets buckets, ModelShape shape) {
        this.lease = lease;
        this.predictor = lease.model().newPredictor(new NoopTranslator());
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        this.buckets = buckets;
        this.shape = shape;
        this.xPadded = new float[buckets.largest() * shape.inputSize()];
        this.hPadded = new float[buckets.largest() * shape.stateSize()];
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public void step(int batch, float[] x, float[] h, float[] y, float[] hNext)
            throws TranslateException {
        int f = shape.inputSize();
        int hidden = shape.hiddenSize();
        int layers = shape.layers();
        int stateSize = shape.stateSize();
        int outputs = shape.outputSize();
        int bucket = buckets.bucketFor(batch);

        System.arraycopy(x, 0, xPadded, 0, batch * f);
        Arrays.fill(xPadded, batch * f, bucket * f, 0f);
        for (int l = 0; l < layers; l++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(
                        h, b * stateSize + l * hidden, hPadded, (l * bucket + b) * hidden, hidden);
            }
            Arrays.fill(hPadded, (l * bucket + batch) * hidden, (l + 1) * bucket * hidden, 0f);
        }

        try (NDManager step = manager.newSubManager()) {
            NDArray xs =
                    step.create(FloatBuffer.wrap(xPadded, 0, bucket * f), new Shape(bucket, f));
            NDArray hs =
                    step.create(
                            FloatBuffer.wrap(hPadded, 0, bucket * stateSize),
                            new Shape(layers, bucket, hidden));
            NDList out = predictor.predict(new NDList(xs, hs));
            out.attach(step);
            float[] ys = out.get(0).toFloatArray();
            float[] hs2 = out.get(1).toFloatArray();
            System.arraycopy(ys, 0, y, 0, batch * outputs);
            for (int l = 0; l < layers; l++) {
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(
                            hs2,
                            (l * bucket + b) * hidden,
                            hNext,
                            b * stateSize + l * hidden,
                            hidden);
                }
            }
        }
    }

    /** Runs one step of every bucket size, so shape specialization happens before traffic. */
    void warmUp() throws TranslateException {
        int largest = buckets.largest();
        float[] x = new float[largest * shape.inputSize()];
        float[] h = new float[largest * shape.stateSize()];
        float[] y = new float[largest * shape.outputSize()];
        float[] hNext = new float[largest * shape.stateSize()];
        for (int size : buckets.sizes()) {
            step(size, x, h, y, hNext);
        }
    }

    @Override
    public void close() {
        // Reverse order of acquisition: arrays, predictor, then the hold on the shared model.
        try {
            manager.close();
            predictor.close();
        } finally {
            lease.close();
        }
    }
}
