package dev.flinkgru.operator.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.OnnxPredictorFactory;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A predictor alone: one batched step of B rows for H hidden units (F=8, L=1), one engine thread,
 * on the same weights for every engine (models/bench/gru-f8-hH.pt and .onnx). Rows/s = B / (time
 * per step); operator overhead = operator vs this. Run with {@code bin/flink-gru jmh}, e.g. {@code
 * bin/flink-gru jmh -p engine=torchscript,onnx -p hidden=64,256 -p batch=1,256}.
 *
 * <p>Engines: {@code torchscript} (DJL, PyTorch), {@code onnx} (ONNX Runtime's Java API, the ONNX
 * backend), and, for the comparison that chose the ONNX backend's API only, {@code onnx-djl} (DJL's
 * OnnxRuntime engine, test scope).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dai.djl.offline=true"})
public class PredictorBenchmark {

    @Param({"torchscript", "onnx"})
    public String engine;

    @Param({"1", "64", "256", "1024"})
    public int batch;

    @Param({"64", "256"})
    public int hidden;

    private BatchPredictor predictor;
    private float[] x;
    private float[] h;
    private float[] y;
    private float[] hNext;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String models = System.getProperty("flinkgru.home", ".") + "/models/bench";
        String name = "gru-f8-h" + hidden;
        switch (engine) {
            case "torchscript":
                predictor =
                        new TorchScriptPredictorFactory(
                                        Paths.get(models, name + ".pt").toString(),
                                        hidden,
                                        1,
                                        "cpu",
                                        1,
                                        1,
                                        true)
                                .open(8, batch);
                break;
            case "onnx":
                predictor =
                        new OnnxPredictorFactory(
                                        Paths.get(models, name + ".onnx").toString(),
                                        hidden,
                                        1,
                                        "cpu",
                                        1,
                                        1,
                                        true)
                                .open(8, batch);
                break;
            case "onnx-djl":
                predictor =
                        new DjlOnnxPredictor(Paths.get(models, name + ".onnx"), 8, hidden, batch);
                checkAgainstTheOnnxBackend(Paths.get(models, name + ".onnx").toString());
                break;
            default:
                throw new IllegalArgumentException(
                        "engine is '" + engine + "'; expected torchscript, onnx or onnx-djl");
        }
        Random random = new Random(1);
        x = new float[batch * 8];
        h = new float[batch * hidden];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        y = new float[batch];
        hNext = new float[batch * hidden];
    }

    /** DJL's engine must compute what the ONNX backend does, or its timing means nothing. */
    private void checkAgainstTheOnnxBackend(String model) throws Exception {
        float[] xs = new float[batch * 8];
        float[] hs = new float[batch * hidden];
        Random random = new Random(3);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = random.nextFloat() - 0.5f;
        }
        float[] y1 = new float[batch];
        float[] y2 = new float[batch];
        float[] h1 = new float[batch * hidden];
        float[] h2 = new float[batch * hidden];
        predictor.step(batch, xs, hs, y1, h1);
        try (BatchPredictor onnx = new OnnxPredictorFactory(model, hidden, 1).open(8, batch)) {
            onnx.step(batch, xs, hs, y2, h2);
        }
        if (!java.util.Arrays.equals(y1, y2) || !java.util.Arrays.equals(h1, h2)) {
            throw new IllegalStateException("onnx-djl and onnx disagree on " + model);
        }
    }

    @Benchmark
    public float[] step() throws Exception {
        predictor.step(batch, x, h, y, hNext);
        return y;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        predictor.close();
    }
}
