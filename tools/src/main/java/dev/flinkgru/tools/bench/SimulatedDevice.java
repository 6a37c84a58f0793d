package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated accelerator for the bench, where no GPU is: one device per JVM that serves its calls
 * one at a time, each taking its {@link Curve}'s cost per call plus its cost per row, without using
 * a CPU core while it "computes" (the calling thread parks, so a call also takes the OS's timer
 * slack, some 0.05–0.1 ms), and returning a cheap deterministic function of its inputs.
 */
final class SimulatedDevice implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    /** How long a call of B rows takes: a cost per call plus a cost per row. */
    enum Curve {
        /**
         * An NVIDIA H200 as measured (PyTorch 2.11, CUDA 13; issue 21): one batched step of the
         * bench's TorchScript models as loaded, host arrays in and out. A least-squares fit (of the
         * relative error) of the medians; H=64: 723 µs at B=1, 466 at 1024, 762 at 4096, 1,839 at
         * 16,384, 5,901 at 65,536 → 530 µs + 76 ns per row (every point within 30%); H=256: 970 µs
         * at 1024, 1,366 at 4096, 2,239 at 16,384 → 925 µs + 83 ns per row (within 8%). Other
         * hidden sizes take the nearer of the two.
         */
        H200,
        /** The guess the bench used before a GPU was measured: 2 ms + 1 µs per row. */
        GUESS;

        /** The cost of one call, µs. */
        long fixedMicros(int hidden) {
            return this == GUESS ? 2_000 : hidden <= 128 ? 530 : 925;
        }

        /** The cost of one row, ns. */
        long nanosPerRow(int hidden) {
            return this == GUESS ? 1_000 : hidden <= 128 ? 76 : 83;
        }

        /** The device's own throughput at calls of {@code rows} rows, events/s. */
        double bound(int hidden, int rows) {
            return rows / ((fixedMicros(hidden) * 1_000 + nanosPerRow(hidden) * rows) / 1e9);
        }

        /** The curve of {@code --simulated-device}'s value: h200 or guess. */
        static Curve of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }

        /** What a call costs, for people. */
        String explain(int hidden) {
            return String.format(
                    Locale.ROOT,
                    "%s: %.2f ms + %d ns per row per call at H=%d",
                    name().toLowerCase(Locale.ROOT),
                    fixedMicros(hidden) / 1e3,
                    nanosPerRow(hidden),
                    hidden);
        }
    }

    /** The one device of the JVM. */
    private static final ReentrantLock DEVICE = new ReentrantLock(true);

    /** Nanoseconds the device spent computing, since the last {@link #resetBusy()}. */
    private static final AtomicLong BUSY_NANOS = new AtomicLong();

    private final int hidden;
    private final Curve curve;

    SimulatedDevice(int hidden, Curve curve) {
        this.hidden = hidden;
        this.curve = curve;
    }

    /** Forgets the device's busy time so far. */
    static void resetBusy() {
        BUSY_NANOS.set(0);
    }

    /** Nanoseconds the device computed since the last {@link #resetBusy()}. */
    static long busyNanos() {
        return BUSY_NANOS.get();
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) {
        ModelShape shape = new ModelShape(inputSize, hidden, 1, 1, 0x5153_D001L);
        long fixedNanos = curve.fixedMicros(hidden) * 1_000;
        long nanosPerRow = curve.nanosPerRow(hidden);
        return new BatchPredictor() {
            @Override
            public ModelShape shape() {
                return shape;
            }

            @Override
            public void step(int batch, float[] x, float[] h, float[] y, float[] hNext) {
                DEVICE.lock();
                try {
                    long began = System.nanoTime();
                    long deadline = began + fixedNanos + nanosPerRow * batch;
                    for (long left = deadline - System.nanoTime();
                            left > 0;
                            left = deadline - System.nanoTime()) {
                        LockSupport.parkNanos(left);
                    }
                    BUSY_NANOS.addAndGet(System.nanoTime() - began);
                } finally {
                    DEVICE.unlock();
                }
                for (int b = 0; b < batch; b++) {
                    float input = x[b * inputSize];
                    for (int j = 0; j < hidden; j++) {
                        hNext[b * hidden + j] = 0.5f * h[b * hidden + j] + 0.5f * input;
                    }
                    y[b] = hNext[b * hidden];
                }
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public String explain() {
        return "simulated device (" + curve.explain(hidden) + ", one call at a time per JVM)";
    }
}
