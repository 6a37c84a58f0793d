package dev.flinkgru.operator.flush;

import java.io.Serializable;
import java.time.Duration;

/**
 * When buffered events become a batch: at {@code maxBatchSize} buffered events (the buffer's hard
 * cap), {@code maxDelay} after the first event entered an empty buffer, and always before a
 * checkpoint barrier, a watermark and the end of input (those three the operator enforces).
 */
public final class FlushPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int maxBatchSize;
    private final Duration maxDelay;

    public FlushPolicy(int maxBatchSize, Duration maxDelay) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException(
                    "gru.batch.max-size must be at least 1, was " + maxBatchSize);
        }
        if (maxDelay == null || maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException(
                    "gru.batch.max-delay must be positive, was " + maxDelay);
        }
        this.maxBatchSize = maxBatchSize;
        this.maxDelay = maxDelay;
    }

    /** The largest batch, and the number of buffered events that forces a flush. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /** Whether a buffer of {@code bufferedEvents} must be flushed now. */
    public boolean isFull(int bufferedEvents) {
        return bufferedEvents >= maxBatchSize;
    }

    /** The processing time at which a buffer whose first event arrived at {@code now} flushes. */
    public long deadline(long now) {
        return now + maxDelay.toMillis();
    }

    /** One line for the logs. */
    public String explain() {
        return "FlushPolicy: flush at "
                + maxBatchSize
                + " buffered events or "
                + maxDelay.toMillis()
                + " ms after the first, and before every checkpoint barrier, watermark and end"
                + " of input";
    }

    @Override
    public String toString() {
        return explain();
    }
}
