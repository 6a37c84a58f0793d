package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.GruPrediction;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Counts outputs and records when the first and last arrived, and samples event→output latency; the
 * benchmark runs in-process, so the results are static and read after the job.
 */
final class BenchSink implements Sink<GruPrediction> {

    private static final long serialVersionUID = 1L;

    static final AtomicLong COUNT = new AtomicLong();
    static final LongAccumulator FIRST_NANOS = new LongAccumulator(Math::min, Long.MAX_VALUE);
    static final LongAccumulator LAST_NANOS = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private static final Latencies LATENCIES = new Latencies();

    /** Forgets the last run. */
    static void reset() {
        COUNT.set(0);
        FIRST_NANOS.reset();
        LAST_NANOS.reset();
        LATENCIES.reset();
    }

    /** Outputs per second between the first and the last output. */
    static double eventsPerSecond() {
        long span = LAST_NANOS.get() - FIRST_NANOS.get();
        return span <= 0 ? Double.NaN : (COUNT.get() - 1) / (span / 1e9);
    }

    /** The q-quantile (0..1) of event→output latency, milliseconds, after warm-up. */
    static double latencyMillis(double q) {
        return LATENCIES.quantile(q) / 1e6;
    }

    @Override
    public SinkWriter<GruPrediction> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(GruPrediction prediction, Context context) {
                long now = System.nanoTime();
                long n = COUNT.incrementAndGet();
                FIRST_NANOS.accumulate(now);
                LAST_NANOS.accumulate(now);
                LATENCIES.add(n, now - prediction.eventId);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    /** Latency samples, skipping the first outputs (warm-up); bounded memory. */
    private static final class Latencies {
        private static final int WARM_UP = 20_000;
        private static final int CAPACITY = 1 << 20;
        private long[] samples = new long[CAPACITY];
        private int size;
        private long seen;

        synchronized void add(long n, long nanos) {
            if (n <= WARM_UP) {
                return;
            }
            seen++;
            if (size < CAPACITY) {
                samples[size++] = nanos;
            } else {
                // reservoir sampling keeps a uniform sample of all latencies
                long slot = java.util.concurrent.ThreadLocalRandom.current().nextLong(seen);
                if (slot < CAPACITY) {
                    samples[(int) slot] = nanos;
                }
            }
        }

        synchronized double quantile(double q) {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(samples, size);
            Arrays.sort(sorted);
            return sorted[
                    Math.min(
                            size - 1,
                            (int) Math.ceil(q * size) - 1 < 0 ? 0 : (int) Math.ceil(q * size) - 1)];
        }

        synchronized void reset() {
            size = 0;
            seen = 0;
        }
    }
}
