package dev.flinkgru.operator.predictor;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Runs the model contract {@code forward(x[B,F], h[L,B,H]) -> (y[B,O], h_next[L,B,H])} through ONNX
 * Runtime's own Java API on a shared session ({@link OnnxSessions}).
 *
 * <p>Why ONNX Runtime's own API and not DJL's OnnxRuntime engine: it is measurably faster where the
 * per-step overhead matters (small batches) and as fast elsewhere, with the inputs zero-copy and no
 * second engine abstraction. Measured with {@code EngineComparison} (operator test scope: the
 * engines take turns in one JVM on the same weights, median of 30 rounds of 200 steps, one thread,
 * models/bench, F=8, L=1; 2 shared cores, two runs), µs per step, ONNX Runtime API vs DJL:
 *
 * <pre>
 *           B=1 (run 1 / run 2)           B=256 (run 1 / run 2)
 *           ORT API       DJL             ORT API         DJL
 * H=64      31.4 / 35.9   45.0 / 68.0     161.8 / 228.5   168.5 / 230.5
 * H=256     21.6 / 21.9   25.9 / 27.2     981.6 / 998.4   953.9 / 989.6
 * </pre>
 *
 * (TorchScript in the same runs: H=64 B=1 111 / 150, H=256 B=1 56 / 56, H=64 B=256 183 / 283, H=256
 * B=256 1478 / 1581.)
 *
 * <p>Inputs are zero-copy: x and h live in two direct buffers allocated once, and each bucket size
 * has its two input tensors over the front of those buffers, made at open and reused by every step
 * ({@code OnnxTensor.createTensor} on a direct buffer does not copy). Batches are padded up to a
 * {@link ShapeBuckets} size with zero rows that are never copied out. The outputs of a step are
 * ONNX Runtime's, closed at the end of the step; each is checked against the contract (shape for
 * the padded batch, float32) before a float is read.
 */
@Internal
public final class OnnxPredictor implements BatchPredictor {

    private final SharedLeases.Lease<OrtSession> lease;
    private final OrtSession session;
    private final OnnxSignature signature;
    private final ShapeBuckets buckets;
    private final ModelShape shape;
    private final ModelContract contract;

    /** Padded x[bucket,F], shared by the x tensors of every bucket. */
    private final FloatBuffer xs;

    /** Padded h[L,bucket,H], shared by the h tensors of every bucket. */
    private final FloatBuffer hs;

    /** Per bucket (as in {@link ShapeBuckets#sizes()}), the inputs by name. */
    private final List<Map<String, OnnxTensor>> inputs = new ArrayList<>();

    private final int[] sizes;

    /** Zeros for the padded rows. */
    private final float[] zeros;

    OnnxPredictor(
            SharedLeases.Lease<OrtSession> lease,
            OnnxSignature signature,
            ShapeBuckets buckets,
            ModelShape shape,
            ModelContract contract)
            throws OrtException {
        this.lease = lease;
        this.session = lease.get();
        this.signature = signature;
        this.buckets = buckets;
        this.shape = shape;
        this.contract = contract;
        this.sizes = buckets.sizes();
        int largest = buckets.largest();
        this.xs = direct(largest * shape.inputSize());
        this.hs = direct(largest * shape.stateSize());
        this.zeros = new float[largest * Math.max(shape.inputSize(), shape.hiddenSize())];
        try {
            for (int size : sizes) {
                OnnxTensor x = tensor(xs, new long[] {size, shape.inputSize()});
                try {
                    OnnxTensor h =
                            tensor(hs, new long[] {shape.layers(), size, shape.hiddenSize()});
                    inputs.add(Map.of(signature.x, x, signature.h, h));
                } catch (OrtException | RuntimeException e) {
                    x.close();
                    throw e;
                }
            }
        } catch (OrtException | RuntimeException e) {
            closeTensors();
            throw e;
        }
    }

    /** A tensor of {@code shape} over the front of {@code buffer}: no copy, the same memory. */
    private static OnnxTensor tensor(FloatBuffer buffer, long[] shape) throws OrtException {
        int floats = 1;
        for (long s : shape) {
            floats *= (int) s;
        }
        FloatBuffer view = buffer.duplicate().position(0).limit(floats).slice();
        return OnnxTensor.createTensor(OnnxSessions.environment(), view, shape);
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public void step(int batch, float[] x, float[] h, float[] y, float[] hNext)
            throws OrtException {
        int f = shape.inputSize();
        int hidden = shape.hiddenSize();
        int layers = shape.layers();
        int stateSize = shape.stateSize();
        int index = bucketIndex(batch);
        int bucket = sizes[index];

        // Rows in, padded with zero rows up to the bucket; h goes from [B, L·H] to [L, B, H].
        xs.clear();
        xs.put(x, 0, batch * f).put(zeros, 0, (bucket - batch) * f);
        hs.clear();
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

        try (OrtSession.Result result = session.run(inputs.get(index))) {
            if (result.size() != 2) {
                contract.checkBatchOutputs(batch, bucket, signature.outputs(result));
            }
            OnnxValue yValue = result.get(signature.y).orElseThrow();
            OnnxValue hValue = result.get(signature.hNext).orElseThrow();
            contract.checkBatch(
                    batch,
                    bucket,
                    shape.outputSize(),
                    OnnxSignature.output(signature.y, yValue),
                    OnnxSignature.output(signature.hNext, hValue));
            // Only the first `batch` rows come out; padded rows are never copied.
            ((OnnxTensor) yValue).getFloatBuffer().get(y, 0, batch * shape.outputSize());
            FloatBuffer next = ((OnnxTensor) hValue).getFloatBuffer();
            if (layers == 1) {
                next.get(hNext, 0, batch * hidden);
            } else {
                for (int l = 0; l < layers; l++) {
                    for (int b = 0; b < batch; b++) {
                        next.position((l * bucket + b) * hidden);
                        next.get(hNext, b * stateSize + l * hidden, hidden);
                    }
                }
            }
        }
    }

    private int bucketIndex(int batch) {
        int bucket = buckets.bucketFor(batch);
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == bucket) {
                return i;
            }
        }
        throw new IllegalStateException("no bucket " + bucket);
    }

    /** Runs one step of every bucket size. */
    void warmUp() throws OrtException {
        int largest = buckets.largest();
        float[] x = new float[largest * shape.inputSize()];
        float[] h = new float[largest * shape.stateSize()];
        float[] y = new float[largest * shape.outputSize()];
        float[] hNext = new float[largest * shape.stateSize()];
        for (int size : sizes) {
            step(size, x, h, y, hNext);
        }
    }

    private void closeTensors() {
        for (Map<String, OnnxTensor> in : inputs) {
            in.values().forEach(OnnxTensor::close);
        }
        inputs.clear();
    }

    @Override
    public void close() throws Exception {
        // Reverse order of acquisition: the tensors, then the hold on the shared session.
        try {
            closeTensors();
        } finally {
            lease.close();
        }
    }
}
