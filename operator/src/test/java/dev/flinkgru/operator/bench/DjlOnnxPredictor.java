package dev.flinkgru.operator.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.operator.predictor.ShapeBuckets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * The ONNX model contract run through DJL's OnnxRuntime engine ({@code
 * ai.djl.onnxruntime:onnxruntime-engine}) instead of ONNX Runtime's own Java API: only for the
 * engine comparison of {@link PredictorBenchmark} ({@code -p engine=onnx-djl}). Same padding to
 * {@link ShapeBuckets} and the same direct input buffers as {@code OnnxPredictor}; no contract
 * checks (the benchmark's models keep it).
 */
final class DjlOnnxPredictor implements BatchPredictor {

    private final Model model;
    private final Predictor<NDList, NDList> predictor;
    private final NDManager manager;
    private final ShapeBuckets buckets;
    private final ModelShape shape;
    private final ByteBuffer xBytes;
    private final ByteBuffer hBytes;

    DjlOnnxPredictor(Path file, int inputSize, int hiddenSize, int maxBatch) throws Exception {
        model = Model.newInstance("gru", Device.cpu(), "OnnxRuntime");
        model.load(file, null, Map.of("interOpNumThreads", "1", "intraOpNumThreads", "1"));
        predictor = model.newPredictor(new NoopTranslator());
        manager = model.getNDManager().newSubManager();
        buckets = new ShapeBuckets(maxBatch);
        shape = new ModelShape(inputSize, hiddenSize, 1, 1, 0);
        xBytes = direct(maxBatch * inputSize);
        hBytes = direct(maxBatch * hiddenSize);
    }

    private static ByteBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public void step(int batch, float[] x, float[] h, float[] y, float[] hNext) throws Exception {
        int f = shape.inputSize();
        int hidden = shape.hiddenSize();
        int bucket = buckets.bucketFor(batch);
        xBytes.clear().asFloatBuffer().put(x, 0, batch * f);
        hBytes.clear().asFloatBuffer().put(h, 0, batch * hidden);
        xBytes.limit(bucket * f * Float.BYTES);
        hBytes.limit(bucket * hidden * Float.BYTES);
        try (NDManager step = manager.newSubManager()) {
            NDList in =
                    new NDList(
                            step.create(xBytes, new Shape(bucket, f), DataType.FLOAT32),
                            step.create(hBytes, new Shape(1, bucket, hidden), DataType.FLOAT32));
            in.get(0).setName("x");
            in.get(1).setName("h");
            NDList out = predictor.predict(in);
            out.attach(step);
            floats(out.get(0).toByteBuffer()).get(y, 0, batch);
            floats(out.get(1).toByteBuffer()).get(hNext, 0, batch * hidden);
        }
    }

    private static FloatBuffer floats(ByteBuffer bytes) {
        return bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public void close() {
        manager.close();
        predictor.close();
        model.close();
    }
}
