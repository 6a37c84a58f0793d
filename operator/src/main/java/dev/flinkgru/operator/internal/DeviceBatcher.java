package dev.flinkgru.operator.internal;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.operator.predictor.SharedLeases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.function.SupplierWithException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device batcher per JVM, model and device ({@code gru.device.shared}): the subtasks of a
 * TaskManager hand it their batches, and its thread joins the ones waiting into one predictor call
 * of up to {@code maxRows} rows (holding a call for more to join until {@code maxWait} after its
 * first batch arrived or the device became free, whichever is later), then hands each subtask its
 * rows back. Subtasks never see each other's rows: a call that fails is run again request by
 * request, so each subtask gets its own result or its own failure.
 */
@Internal
public final class DeviceBatcher {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceBatcher.class);

    private static final SharedLeases<DeviceBatcher> BATCHERS =
            new SharedLeases<>("device batcher", DeviceBatcher::stop);

    private final String key;
    private final BatchPredictor predictor;
    private final ModelShape shape;
    private final int maxRows;
    private final long maxWaitNanos;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    // Joined calls, packed from row 0.
    private final float[] x;
    private final float[] h;
    private final float[] y;
    private final float[] hNext;

    private final Histogram rowsPerCall = new DescriptiveStatisticsHistogram(1024);
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong busyNanos = new AtomicLong();
    private final long startNanos = System.nanoTime();

    private volatile boolean running = true;

    /** A request taken off the queue that did not fit the last call: the next call's first. */
    private Request pending;

    /** When the last call ended (the batcher's thread only). */
    private long lastCallEnd;

    /** One subtask's batch, or a part of it, waiting for the device. */
    private static final class Request {
        final int rows;
        final float[] x;
        final float[] h;
        final float[] y;
        final float[] hNext;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final long queuedAt = System.nanoTime();

        Request(int rows, float[] x, float[] h, float[] y, float[] hNext) {
            this.rows = rows;
            this.x = x;
            this.h = h;
            this.y = y;
            this.hNext = hNext;
        }
    }

    private DeviceBatcher(String key, BatchPredictor predictor, int maxRows, Duration maxWait) {
        this.key = key;
        this.predictor = predictor;
        this.shape = predictor.shape();
        this.maxRows = maxRows;
        this.maxWaitNanos = maxWait.toNanos();
        this.x = new float[maxRows * shape.inputSize()];
        this.h = new float[maxRows * shape.stateSize()];
        this.y = new float[maxRows * shape.outputSize()];
        this.hNext = new float[maxRows * shape.stateSize()];
        this.thread = new Thread(this::serve, "gru-device-batcher " + key);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Takes a lease on the batcher of {@code key}, starting it with the predictor {@code open}
     * returns (for batches of up to {@code maxRows} rows) if there is none yet; returning the last
     * lease stops the batcher and closes its predictor.
     */
    public static SharedLeases.Lease<DeviceBatcher> acquire(
            String key,
            int maxRows,
            Duration maxWait,
            SupplierWithException<BatchPredictor, Exception> open)
            throws Exception {
        SharedLeases.Lease<DeviceBatcher> lease =
                BATCHERS.acquire(
                        key,
                        () -> {
                            DeviceBatcher started =
                                    new DeviceBatcher(key, open.get(), maxRows, maxWait);
                            LOG.info(
                                    "Started the device batcher {} (calls of up to {} rows, waits"
                                            + " up to {})",
                                    key,
                                    maxRows,
                                    maxWait);
                            return started;
                        });
        DeviceBatcher batcher = lease.get();
        if (batcher.maxRows != maxRows || batcher.maxWaitNanos != maxWait.toNanos()) {
            lease.close();
            throw new IllegalStateException(
                    "The device batcher "
                            + key
                            + " takes calls of "
                            + batcher.maxRows
                            + " rows and waits "
                            + Duration.ofNanos(batcher.maxWaitNanos)
                            + ", not "
                            + maxRows
                            + " and "
                            + maxWait);
        }
        return lease;
    }

    /** Stops the thread (a call in progress ends first) and closes the predictor. */
    private void stop() throws Exception {
        running = false;
        thread.interrupt();
        thread.join(TimeUnit.MINUTES.toMillis(5));
        Request left;
        while ((left = queue.poll()) != null) {
            left.done.completeExceptionally(
                    new IllegalStateException("The device batcher stopped"));
        }
        predictor.close();
        LOG.info("Stopped the device batcher {}", key);
    }

    /** The model's sizes. */
    public ModelShape shape() {
        return shape;
    }

    /** Completes once rows [0, rows) of the arrays have been run; on the batcher's thread. */
    public CompletableFuture<Void> submit(
            int rows, float[] x, float[] h, float[] y, float[] hNext) {
        if (rows > maxRows) {
            throw new IllegalArgumentException(
                    rows + " rows exceed the device batcher's " + maxRows);
        }
        Request request = new Request(rows, x, h, y, hNext);
        queue.add(request);
        if (!running) {
            request.done.completeExceptionally(
                    new IllegalStateException("The device batcher stopped"));
        }
        return request.done;
    }

    /**
     * A predictor whose steps go through this batcher: each call waits until its rows have run. It
     * may be called from several threads at once (a subtask's batches in flight), so their rows can
     * join one device call.
     */
    public BatchPredictor client() {
        return new BatchPredictor() {
            @Override
            public ModelShape shape() {
                return shape;
            }

            @Override
            public void step(int batch, float[] x, float[] h, float[] y, float[] hNext)
                    throws Exception {
                try {
                    submit(batch, x, h, y, hNext).get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                }
            }

            @Override
            public void close() {}
        };
    }

    /** Rows per device call, of the last 1024 calls. */
    public Histogram rowsPerCall() {
        return rowsPerCall;
    }

    /** Device calls so far. */
    public long calls() {
        return calls.get();
    }

    /** The share of its life the batcher's thread spent in device calls, 0 to 1. */
    public double busyFraction() {
        long life = System.nanoTime() - startNanos;
        return life <= 0 ? 0 : Math.min(1.0, busyNanos.get() / (double) life);
    }

    private void serve() {
        List<Request> joined = new ArrayList<>();
        while (running) {
            Request first = pending;
            pending = null;
            if (first == null) {
                try {
                    first = queue.take();
                } catch (InterruptedException e) {
                    continue; // release() interrupts; running says whether to stop
                }
            }
            joined.add(first);
            int rows = first.rows;
            // Join what waits; hold the call for more until max-wait after the first arrived or
            // the device became free, whichever is later: the subtasks whose batches just came
            // back send their next ones then.
            long deadline = Math.max(first.queuedAt, lastCallEnd) + maxWaitNanos;
            while (rows < maxRows) {
                Request next = queue.peek();
                if (next == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        next = queue.poll(left, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        break; // release(): the call still runs, nothing is dropped
                    }
                    if (next == null) {
                        break;
                    }
                    if (rows + next.rows > maxRows) {
                        pending = next; // taken off the queue: it leads the next call
                        break;
                    }
                } else if (rows + next.rows > maxRows) {
                    break;
                } else {
                    queue.poll();
                }
                joined.add(next);
                rows += next.rows;
            }
            run(joined, rows);
            lastCallEnd = System.nanoTime();
            joined.clear();
        }
    }

    private void run(List<Request> joined, int rows) {
        long began = System.nanoTime();
        try {
            if (joined.size() == 1) {
                Request only = joined.get(0);
                predictor.step(only.rows, only.x, only.h, only.y, only.hNext);
            } else {
                callJoined(joined, rows);
            }
            record(began, rows);
            joined.forEach(r -> r.done.complete(null));
        } catch (Exception e) {
            record(began, rows);
            if (joined.size() == 1) {
                joined.get(0).done.completeExceptionally(e);
                return;
            }
            // Whose rows failed it? Each request alone gets its own answer.
            for (Request r : joined) {
                long alone = System.nanoTime();
                try {
                    predictor.step(r.rows, r.x, r.h, r.y, r.hNext);
                    r.done.complete(null);
                } catch (Exception failure) {
                    r.done.completeExceptionally(failure);
                } finally {
                    record(alone, r.rows);
                }
            }
        }
    }

    private void callJoined(List<Request> joined, int rows) throws Exception {
        int f = shape.inputSize();
        int s = shape.stateSize();
        int o = shape.outputSize();
        int at = 0;
        for (Request r : joined) {
            System.arraycopy(r.x, 0, x, at * f, r.rows * f);
            System.arraycopy(r.h, 0, h, at * s, r.rows * s);
            at += r.rows;
        }
        predictor.step(rows, x, h, y, hNext);
        at = 0;
        for (Request r : joined) {
            System.arraycopy(y, at * o, r.y, 0, r.rows * o);
            System.arraycopy(hNext, at * s, r.hNext, 0, r.rows * s);
            at += r.rows;
        }
    }

    private void record(long began, int rows) {
        busyNanos.addAndGet(System.nanoTime() - began);
        calls.incrementAndGet();
        rowsPerCall.update(rows);
    }
}
