package dev.flinkgru.operator.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Where one batched step's time goes on a device, part by part, through DJL directly (the same
 * calls {@code TorchScriptPredictor} makes): host arrays into native buffers, the inputs onto the
 * device, the forward call (which returns once its kernels are queued), the outputs back to the
 * host (which waits for the kernels), and the floats out into Java arrays — read in place, or as
 * DJL's default {@code toByteBuffer()} gives them (a Java byte array), for comparison. Medians in
 * µs over {@code steps} steps after 10 unmeasured ones.
 */
final class StepPhases {

    private StepPhases() {}

    static void print(
            String path, int features, int hidden, int layers, String device, int batch, int steps)
            throws Exception {
        Device dev = "cpu".equals(device) ? Device.cpu() : Device.fromName(device);
        try (Model model = Model.newInstance("gru", dev, "PyTorch")) {
            model.load(Paths.get(path), null, Map.of("mapLocation", "true"));
            try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
                    NDManager manager = NDManager.newBaseManager(dev, "PyTorch")) {
                float[] x = new float[batch * features];
                float[] h = new float[batch * layers * hidden];
                Arrays.fill(x, 0.25f);
                Arrays.fill(h, 0.1f);
                float[] y = new float[batch * 8];
                float[] hNext = new float[h.length];
                ByteBuffer xb = direct(x.length);
                ByteBuffer hb = direct(h.length);
                int n = steps + 10;
                long[][] t = new long[6][n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    xb.clear();
                    hb.clear();
                    xb.asFloatBuffer().put(x);
                    hb.asFloatBuffer().put(h);
                    long t1 = System.nanoTime();
                    try (NDManager step = manager.newSubManager()) {
                        NDArray xa = step.create(xb, new Shape(batch, features), DataType.FLOAT32);
                        NDArray ha =
                                step.create(hb, new Shape(layers, batch, hidden), DataType.FLOAT32);
                        long t2 = System.nanoTime();
                        NDList out = predictor.predict(new NDList(xa, ha));
                        out.attach(step);
                        long t3 = System.nanoTime();
                        NDArray yHost = out.get(0).toDevice(Device.cpu(), false);
                        NDArray hHost = out.get(1).toDevice(Device.cpu(), false);
                        long t4 = System.nanoTime();
                        int yn = (int) yHost.size();
                        yHost.toByteBuffer(true)
                                .order(ByteOrder.nativeOrder())
                                .asFloatBuffer()
                                .get(y, 0, Math.min(yn, y.length));
                        hHost.toByteBuffer(true)
                                .order(ByteOrder.nativeOrder())
                                .asFloatBuffer()
                                .get(hNext);
                        long t5 = System.nanoTime();
                        hHost.toByteBuffer()
                                .order(ByteOrder.nativeOrder())
                                .asFloatBuffer()
                                .get(hNext);
                        long t6 = System.nanoTime();
                        t[0][i] = t1 - t0;
                        t[1][i] = t2 - t1;
                        t[2][i] = t3 - t2;
                        t[3][i] = t4 - t3;
                        t[4][i] = t5 - t4;
                        t[5][i] = t6 - t5;
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "phases %-32s H=%d L=%d B=%-6d µs p50: to native %.0f, to device %.0f,"
                                + " forward (queued) %.0f, back to host (waits) %.0f,"
                                + " into arrays in place %.0f; h as a Java byte[] %.0f%n",
                        path,
                        hidden,
                        layers,
                        batch,
                        median(t[0], 10),
                        median(t[1], 10),
                        median(t[2], 10),
                        median(t[3], 10),
                        median(t[4], 10),
                        median(t[5], 10));
            }
        }
    }

    private static ByteBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    private static double median(long[] nanos, int skip) {
        long[] measured = Arrays.copyOfRange(nanos, skip, nanos.length);
        Arrays.sort(measured);
        return measured[measured.length / 2] / 1e3;
    }
}
