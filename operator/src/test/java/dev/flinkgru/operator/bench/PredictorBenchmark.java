package dev.flinkgru.operator.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
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
 * The TorchScript predictor alone: one batched step of B rows for H hidden units (F=8, L=1), one
 * torch thread. Rows/s = B / (time per step); operator overhead = operator vs this. Run with {@code
 * bin/flink-gru jmh}.
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
        String model = Paths.get(models, "gru-f8-h" + hidden + ".pt").toString();
        predictor =
                new TorchScriptPredictorFactory(model, hidden, 1, "cpu", 1, 1, true).open(8, batch);
        Random random = new Random(1);
        x = new float[batch * 8];
        h = new float[batch * hidden];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        y = new float[batch];
        hNext = new float[batch * hidden];
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
