package dev.flinkgru.state;

import java.time.Instant;
import org.apache.flink.annotation.Internal;

/** Event times in milliseconds, as the event checks and the operator's late reasons read them. */
@Internal
public final class Timestamps {

    private Timestamps() {}

    /**
     * {@code a - b}, or Long.MIN_VALUE / MAX_VALUE where that does not fit a long: a time near the
     * ends of a long must not wrap around to the other side.
     */
    public static long saturatedDifference(long a, long b) {
        long difference = a - b;
        if (((a ^ b) & (a ^ difference)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return difference;
    }

    /** {@code millis} as an ISO-8601 instant, e.g. {@code 2020-06-01T00:00:00Z}. */
    public static String instant(long millis) {
        try {
            return Instant.ofEpochMilli(millis).toString();
        } catch (RuntimeException e) {
            return "out of range";
        }
    }
}
