package dev.flinkgru.operator.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.PredictorSettings;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The GPU predictor against the CPU one, and its time per step: for each TorchScript model and
 * batch size B, the same random x and h through {@link TorchScriptPredictorFactory} on the device
 * and on the CPU (max |Δy| and max |Δh|, against the contract's 1e-5), then the device's median µs
 * per step over {@code --steps} steps after 10 unmeasured ones (host arrays in and out, as the
 * operator calls it). Exits 1 if a difference is above 1e-5 with TensorFloat-32 off.
 *
 * <p>Runs anywhere the operator does ({@code --device cpu} compares the CPU with itself); on a GPU
 * machine with PyTorch but no JDK, through {@code ../shared/gpu/} (see docs/performance.md):
 *
 * <pre>{@code
 * mvn -B -ntp -q -pl operator -am -DskipTests package test-compile
 * ../shared/gpu/prepare.sh operator/target/test-classes      # writes .gpu/
 * # on the GPU machine, in the working copy with .gpu/ and models/:
 * TF32=1 bash .gpu/device.sh dev.flinkgru.operator.bench.GpuCheck
 * TF32=1 bash .gpu/device.sh dev.flinkgru.operator.bench.GpuCheck --allow-tf32
 * }</pre>
 *
 * <p>({@code TF32=1} keeps {@code device.sh} from turning TensorFloat-32 off itself, so that the
 * predictor's own default is what is checked.) Arguments: {@code [--device gpu|gpu:N|cpu]
 * [--allow-tf32] [--batches 1,16,...] [--steps N] [--phases] [MODEL.pt:F:H:L ...]}; the default
 * models are the bench's H=64 and H=256 and the two-layer fixture. {@code --phases} also times the
 * parts of one step through DJL directly ({@link StepPhases}).
 */
public final class GpuCheck {

    private static final double CONTRACT = 1e-5;
    private static final int WARM_UP_STEPS = 10;

    private GpuCheck() {}

    /** A model to check: its file and F, H, L. */
    private record Model(String path, int features, int hidden, int layers) {
        static Model parse(String spec) {
            String[] p = spec.split(":");
            if (p.length != 4) {
                throw new IllegalArgumentException("expected MODEL.pt:F:H:L, got '" + spec + "'");
            }
            return new Model(
                    p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
        }
    }

    public static void main(String[] args) throws Exception {
        String device = "gpu";
        boolean allowTf32 = false;
        int[] batches = {1, 16, 256, 1024, 4096, 16384};
        int steps = 50;
        boolean phases = false;
        List<Model> models = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--allow-tf32" -> allowTf32 = true;
                case "--batches" ->
                        batches =
                                Arrays.stream(args[++i].split(","))
                                        .mapToInt(Integer::parseInt)
                                        .toArray();
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--phases" -> phases = true;
                default -> models.add(Model.parse(args[i]));
            }
        }
        if (models.isEmpty()) {
            models.add(new Model("models/bench/gru-f8-h64.pt", 8, 64, 1));
            models.add(new Model("models/fixtures/two-layer/model.pt", 4, 16, 2));
            models.add(new Model("models/bench/gru-f8-h256.pt", 8, 256, 1));
        }
        int largest = Arrays.stream(batches).max().orElseThrow();
        System.out.printf(
                Locale.ROOT,
                "GpuCheck: device %s against cpu, TensorFloat-32 %s, %d steps per batch size%n",
                device,
                allowTf32 ? "allowed" : "off (the default)",
                steps);
        System.out.printf(
                Locale.ROOT,
                "%-36s %4s %2s %6s %10s %10s %12s %14s%n",
                "model",
                "H",
                "L",
                "B",
                "max|dy|",
                "max|dh|",
                "µs/step p50",
                "events/s");
        double worst = 0;
        for (Model m : models) {
            TorchScriptPredictorFactory onCpu =
                    new TorchScriptPredictorFactory(
                            m.path(), m.hidden(), m.layers(), "cpu", 0, 0, false);
            TorchScriptPredictorFactory onDevice =
                    new TorchScriptPredictorFactory(
                            new PredictorSettings(
                                    m.path(),
                                    m.hidden(),
                                    m.layers(),
                                    device,
                                    0,
                                    0,
                                    true,
                                    allowTf32));
            try (BatchPredictor cpu = onCpu.open(m.features(), largest);
                    BatchPredictor dev = onDevice.open(m.features(), largest)) {
                int s = dev.shape().stateSize();
                int o = dev.shape().outputSize();
                for (int batch : batches) {
                    Random random = new Random(batch * 31L + m.hidden());
                    float[] x = new float[batch * m.features()];
                    float[] h = new float[batch * s];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) random.nextGaussian();
                    }
                    for (int i = 0; i < h.length; i++) {
                        h[i] = random.nextFloat() - 0.5f;
                    }
                    float[] yCpu = new float[batch * o];
                    float[] hCpu = new float[batch * s];
                    float[] yDev = new float[batch * o];
                    float[] hDev = new float[batch * s];
                    cpu.step(batch, x, h, yCpu, hCpu);
                    dev.step(batch, x, h, yDev, hDev);
                    double dy = maxAbsDiff(yCpu, yDev);
                    double dh = maxAbsDiff(hCpu, hDev);
                    worst = Math.max(worst, Math.max(dy, dh));
                    for (int i = 0; i < WARM_UP_STEPS; i++) {
                        dev.step(batch, x, h, yDev, hDev);
                    }
                    long[] nanos = new long[steps];
                    for (int i = 0; i < steps; i++) {
                        long t0 = System.nanoTime();
                        dev.step(batch, x, h, yDev, hDev);
                        nanos[i] = System.nanoTime() - t0;
                    }
                    Arrays.sort(nanos);
                    double micros = nanos[steps / 2] / 1e3;
                    System.out.printf(
                            Locale.ROOT,
                            "%-36s %4d %2d %6d %10.2e %10.2e %12.0f %,14.0f%n",
                            m.path(),
                            m.hidden(),
                            m.layers(),
                            batch,
                            dy,
                            dh,
                            micros,
                            batch / (micros / 1e6));
                }
            }
        }
        if (phases) {
            for (Model m : models) {
                for (int batch : batches) {
                    StepPhases.print(
                            m.path(), m.features(), m.hidden(), m.layers(), device, batch, steps);
                }
            }
        }
        boolean within = worst <= CONTRACT;
        System.out.printf(
                Locale.ROOT,
                "largest difference %.2e: %s the contract's %.0e%n",
                worst,
                within ? "within" : "OUTSIDE",
                CONTRACT);
        if (!within && !allowTf32) {
            System.exit(1);
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
