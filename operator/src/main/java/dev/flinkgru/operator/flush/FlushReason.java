package dev.flinkgru.operator.flush;

import org.apache.flink.annotation.Internal;

/** Why a buffer was flushed; each reason has its own counter in the operator's metrics. */
@Internal
public enum FlushReason {
    /** The buffer reached the maximum batch size. */
    SIZE("size"),
    /** The maximum delay passed since the first buffered event. */
    DELAY("delay"),
    /** A checkpoint barrier is about to pass. */
    CHECKPOINT("checkpoint"),
    /** A watermark is about to be forwarded. */
    WATERMARK("watermark"),
    /** The input ended. */
    END_OF_INPUT("endOfInput");

    private final String metricName;

    FlushReason(String metricName) {
        this.metricName = metricName;
    }

    /** The name used in metric identifiers, e.g. {@code flushes.size}. */
    public String metricName() {
        return metricName;
    }
}
