package dev.flinkgru.operator.predictor;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.apache.flink.annotation.Internal;

/**
 * Runs the model contract {@code forward(x[B,F], h[L,B,H]) -> (y[B,O], h'[L,B,H])} through a DJL
 * predictor of its own on a shared model. Batches are padded up to a {@link ShapeBuckets} size;
 * padded rows are zero and never copied out. Native arrays live only inside one {@link #step}. Each
 * batch's outputs are checked against the contract (shapes for the padded batch, float32) before a
 * float is read.
 */
@Internal
public final class TorchScriptPredictor implements BatchPredictor {

    private final SharedLeases.Lease<Model> lease;
    private final Predictor<NDList, NDList> predictor;
    private final NDManager manager;
    private final ShapeBuckets buckets;
    private final ModelShape shape;
    private final ModelContract contract;

    /** Padded x[bucket,F] in native memory, reused across steps. */
    private final ByteBuffer xBytes;

    /** Padded h[L,bucket,H] in native memory, reused across steps. */
    private final ByteBuffer hBytes;

    /** Zeros for the padded rows. */
    private final float[] zeros;

    TorchScriptPredictor(
            SharedLeases.Lease<Model> lease,
            Device device,
            ShapeBuckets buckets,
            ModelShape shape,
            ModelContract contract) {
        this.lease = lease;
        this.predictor = lease.get().newPredictor(new NoopTranslator());
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        this.buckets = buckets;
        this.shape = shape;
        this.contract = contract;
        int largest = buckets.largest();
        this.xBytes = direct(largest * shape.inputSize());
        this.hBytes = direct(largest * shape.stateSize());
        this.zeros = new float[largest * Math.max(shape.inputSize(), shape.hiddenSize())];
    }

    private static ByteBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
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
        int bucket = buckets.bucketFor(batch);

        // Rows in, padded with zero rows up to the bucket; h goes from [B, L·H] to [L, B, H].
        FloatBuffer xs = xBytes.clear().asFloatBuffer();
        xs.put(x, 0, batch * f).put(zeros, 0, (bucket - batch) * f);
        FloatBuffer hs = hBytes.clear().asFloatBuffer();
        if (layers == 1) {
            hs.put(h, 0, batch * hidden).put(zeros, 0, (bucket - batch) * hidden);
        } else {
            for (int l = 0; l < layers; l++) {
                for (int b = 0; b < batch; b++) {
                    hs.put(h, b * stateSize + l * hidden, hidden);
                }
                hs.put(zeros, 0, (bucket - batch) * hidden);
            }
        }
        xBytes.limit(bucket * f * Float.BYTES);
        hBytes.limit(bucket * stateSize * Float.BYTES);

        try (NDManager step = manager.newSubManager()) {
            NDList out =
                    predictor.predict(
                            new NDList(
                                    step.create(xBytes, new Shape(bucket, f), DataType.FLOAT32),
                                    step.create(
                                            hBytes,
                                            new Shape(layers, bucket, hidden),
                                            DataType.FLOAT32)));
            out.attach(step);
            if (out.size() != 2) {
                contract.checkBatchOutputs(batch, bucket, TorchScriptPredictorFactory.outputs(out));
            }
            contract.checkBatch(
                    batch,
                    bucket,
                    shape.outputSize(),
                    TorchScriptPredictorFactory.output(0, out.get(0)),
                    TorchScriptPredictorFactory.output(1, out.get(1)));
            // Only the first `batch` rows come out: the padded rows are cut off where the outputs
            // are (on a device, before the copy to the host), and the floats are read in place.
            floats(rows(out.get(0), 0, batch, bucket)).get(y, 0, batch * shape.outputSize());
            FloatBuffer next = floats(rows(out.get(1), 1, batch, bucket));
            if (layers == 1) {
                next.get(hNext, 0, batch * hidden);
            } else {
                int rowsPerLayer = next.remaining() / (layers * hidden);
                for (int l = 0; l < layers; l++) {
                    for (int b = 0; b < batch; b++) {
                        next.position((l * rowsPerLayer + b) * hidden);
                        next.get(hNext, b * stateSize + l * hidden, hidden);
                    }
                }
            }
        }
    }

    /**
     * The first {@code batch} rows along {@code axis} of an output of a padded batch: a view where
     * the output is, so that on a device only those rows travel to the host.
     */
    private static NDArray rows(NDArray output, int axis, int batch, int bucket) {
        if (batch == bucket) {
            return output;
        }
        NDIndex index = axis == 0 ? new NDIndex() : new NDIndex().addAllDim();
        return output.get(index.addSliceDim(0, batch));
    }

    /** The floats of an array on the host, read in place where the engine allows it. */
    private static FloatBuffer floats(NDArray array) {
        return array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
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
    public void close() throws Exception {
        // Reverse order of acquisition: arrays, predictor, then the hold on the shared model.
        try {
            manager.close();
            predictor.close();
        } finally {
            lease.close();
        }
    }
}
