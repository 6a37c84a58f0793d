package dev.flinkgru.operator.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.OnnxPredictorFactory;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * The engine comparison behind the ONNX backend's choice of API, robust to a shared, noisy machine:
 * in one JVM, the engines take turns, round after round ({@code steps} steps each per round), on
 * the same weights and inputs; each engine's figure is the median over the rounds of its mean time
 * per step, so a burst of load elsewhere hits every engine alike. One thread per engine.
 *
 * <pre>{@code
 * bin/flink-gru jmh -l    # once: builds operator/target/jmh.classpath
 * java -Dai.djl.offline=true -cp "operator/target/test-classes:operator/target/classes:$(cat
 *     operator/target/jmh.classpath)" dev.flinkgru.operator.bench.EngineComparison [rounds] [steps]
 * }</pre>
 *
 * <p>Engines: {@code torchscript} (DJL, PyTorch), {@code onnx} (ONNX Runtime's Java API, the ONNX
 * backend), {@code onnx-djl} (DJL's OnnxRuntime engine). DJL's engine is opened first: it cannot
 * start once ONNX Runtime's environment exists.
 */
public final class EngineComparison {

    private EngineComparison() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path dir = Path.of(System.getProperty("flinkgru.home", "."), "models", "bench");
        String[] engines = {"torchscript", "onnx", "onnx-djl"};
        System.out.printf(
                "%-6s %-5s %12s %12s %12s   (median over %d rounds of %d steps, µs per step)%n",
                "H", "B", engines[0], engines[1], engines[2], rounds, steps);
        for (int hidden : new int[] {64, 256}) {
            for (int batch : new int[] {1, 256}) {
                String name = "gru-f8-h" + hidden;
                BatchPredictor[] p = new BatchPredictor[3];
                p[2] = new DjlOnnxPredictor(dir.resolve(name + ".onnx"), 8, hidden, batch);
                p[0] =
                        new TorchScriptPredictorFactory(
                                        dir.resolve(name + ".pt").toString(),
                                        hidden,
                                        1,
                                        "cpu",
                                        1,
                                        1,
                                        true)
                                .open(8, batch);
                p[1] =
                        new OnnxPredictorFactory(
                                        dir.resolve(name + ".onnx").toString(),
                                        hidden,
                                        1,
                                        "cpu",
                                        1,
                                        1,
                                        true)
                                .open(8, batch);
                double[] medians = compare(p, batch, hidden, rounds, steps);
                System.out.printf(
                        "%-6d %-5d %12.1f %12.1f %12.1f%n",
                        hidden, batch, medians[0], medians[1], medians[2]);
                for (BatchPredictor predictor : p) {
                    predictor.close();
                }
            }
        }
    }

    private static double[] compare(
            BatchPredictor[] predictors, int batch, int hidden, int rounds, int steps)
            throws Exception {
        Random random = new Random(1);
        float[] x = new float[batch * 8];
        float[] h = new float[batch * hidden];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        float[] y = new float[batch];
        float[] hNext = new float[batch * hidden];
        // Warm-up: JIT and the engines' allocators.
        for (BatchPredictor p : predictors) {
            for (int i = 0; i < Math.max(50, steps); i++) {
                p.step(batch, x, h, y, hNext);
            }
        }
        double[][] means = new double[predictors.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int e = 0; e < predictors.length; e++) {
                long start = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    predictors[e].step(batch, x, h, y, hNext);
                }
                means[e][r] = (System.nanoTime() - start) / 1e3 / steps;
            }
        }
        double[] medians = new double[predictors.length];
        for (int e = 0; e < predictors.length; e++) {
            double[] sorted = means[e].clone();
            Arrays.sort(sorted);
            medians[e] = sorted[rounds / 2];
        }
        return medians;
    }
}
