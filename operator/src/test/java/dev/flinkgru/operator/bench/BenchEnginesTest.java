package dev.flinkgru.operator.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.OnnxPredictorFactory;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engines {@link PredictorBenchmark} compares compute the same thing: models/bench's .pt and
 * .onnx hold the same weights, and both backends give the same step. (DJL's OnnxRuntime engine,
 * {@code onnx-djl}, is checked against the ONNX backend in the benchmark's own setup: it cannot
 * start in a JVM where ONNX Runtime's environment exists already, as it does in this test JVM.)
 */
class BenchEnginesTest {

    @ParameterizedTest
    @ValueSource(ints = {64, 256})
    void everyEngineGivesTheSameStep(int hidden) throws Exception {
        Path dir = TorchFixture.root().resolveSibling("bench");
        String name = "gru-f8-h" + hidden;
        int batch = 37;
        Random random = new Random(2);
        float[] x = new float[batch * 8];
        float[] h = new float[batch * hidden];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) (0.5 * random.nextGaussian());
        }
        float[][] ys = new float[2][batch];
        float[][] hs = new float[2][batch * hidden];
        try (BatchPredictor torch =
                        new TorchScriptPredictorFactory(
                                        dir.resolve(name + ".pt").toString(), hidden, 1)
                                .open(8, 64);
                BatchPredictor onnx =
                        new OnnxPredictorFactory(dir.resolve(name + ".onnx").toString(), hidden, 1)
                                .open(8, 64)) {
            torch.step(batch, x, h, ys[0], hs[0]);
            onnx.step(batch, x, h, ys[1], hs[1]);
        }
        Tolerance.assertClose("y", ys[1], ys[0], batch);
        Tolerance.assertClose("h'", hs[1], hs[0], batch * hidden);
    }
}
