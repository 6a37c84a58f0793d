package dev.flinkgru.operator.flush;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

/**
 * When buffered events become a batch: at {@code maxBatchSize} buffered events (the buffer's hard
 * cap), {@code maxDelay} after the first event entered an empty buffer, and always before a
 * checkpoint barrier, a watermark and the end of input (those three the operator enforces).
 */
@PublicEvolving
public final class FlushPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int maxBatchSize;
    private final Duration maxDelay;

    public FlushPolicy(int maxBatchSize, Duration maxDelay) {
        Preconditions.checkArgument(
                maxBatchSize >= 1,
                "%s must be at least 1, was %s",
                FlushOptions.BATCH_MAX_SIZE.key(),
                maxBatchSize);
        Preconditions.checkArgument(
                maxDelay != null && !maxDelay.isNegative() && !maxDelay.isZero(),
                "%s must be positive, was %s",
                FlushOptions.BATCH_MAX_DELAY.key(),
                maxDelay);
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
