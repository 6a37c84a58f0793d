package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated accelerator for the bench, where no GPU is: one device per JVM that serves its calls
 * one at a time, each taking {@value #FIXED_MICROS} µs plus {@value #NANOS_PER_ROW} ns per row,
 * without using a CPU core while it "computes" (the calling thread parks), and returning a cheap
 * deterministic function of its inputs. Its own bound at a batch of B rows is B / (2 ms + B µs):
 * about 339k events/s at 1024.
 */
final class SimulatedDevice implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    /** Fixed cost of one call, µs. */
    static final long FIXED_MICROS = 2_000;

    /** Cost of one row, ns. */
    static final long NANOS_PER_ROW = 1_000;

    /** The one device of the JVM. */
    private static final ReentrantLock DEVICE = new ReentrantLock(true);

    /** Nanoseconds the device spent computing, since the last {@link #resetBusy()}. */
    private static final AtomicLong BUSY_NANOS = new AtomicLong();

    private final int hidden;

    SimulatedDevice(int hidden) {
        this.hidden = hidden;
    }

    /** Forgets the device's busy time so far. */
    static void resetBusy() {
        BUSY_NANOS.set(0);
    }

    /** Nanoseconds the device computed since the last {@link #resetBusy()}. */
    static long busyNanos() {
        return BUSY_NANOS.get();
    }

    /** The device's own throughput at calls of {@code rows} rows, events/s. */
    static double bound(int rows) {
        return rows / ((FIXED_MICROS * 1_000 + NANOS_PER_ROW * rows) / 1e9);
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) {
        ModelShape shape = new ModelShape(inputSize, hidden, 1, 1, 0x5153_D001L);
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
                    long deadline = began + FIXED_MICROS * 1_000 + NANOS_PER_ROW * batch;
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
        return "simulated device (2 ms + 1 µs per row per call, one call at a time per JVM)";
    }
}
