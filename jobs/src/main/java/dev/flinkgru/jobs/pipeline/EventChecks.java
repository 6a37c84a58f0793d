package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.state.Timestamps;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.util.TimeUtils;

/**
 * What every parsed event must satisfy before it may reach the operator, whatever the codec: a key
 * that is non-empty, valid Unicode and not too long (never cut: two keys cut alike would share one
 * state), and an event time within bounds of the clock.
 */
final class EventChecks implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int maxKeyBytes;
    private final Duration maxAhead;
    private final Duration maxBehind;

    EventChecks(int maxKeyBytes, Duration maxAhead, Duration maxBehind) {
        this.maxKeyBytes = maxKeyBytes;
        this.maxAhead = maxAhead;
        this.maxBehind = maxBehind;
    }

    /** The checks of {@link KafkaJobOptions} in {@code config}. */
    static EventChecks fromConfiguration(ReadableConfig config) {
        return new EventChecks(
                config.get(KafkaJobOptions.KEY_MAX_BYTES),
                config.get(KafkaJobOptions.EVENT_TIME_MAX_AHEAD),
                config.getOptional(KafkaJobOptions.EVENT_TIME_MAX_BEHIND).orElse(null));
    }

    /** Why {@code event} must be refused at {@code now} (epoch millis), or null. */
    String problem(GruEvent event, long now) {
        String key = event.key;
        if (key == null || key.isEmpty()) {
            return "the key is empty";
        }
        int surrogate = Utf8.loneSurrogate(key);
        if (surrogate >= 0) {
            return String.format(
                    "the key is not valid Unicode: a lone surrogate U+%04X at index %d",
                    (int) key.charAt(surrogate), surrogate);
        }
        int bytes = Utf8.length(key);
        if (bytes > maxKeyBytes) {
            return "the key is "
                    + bytes
                    + " bytes long, more than "
                    + KafkaJobOptions.KEY_MAX_BYTES.key()
                    + " = "
                    + maxKeyBytes;
        }
        // Saturated: a ts near the ends of a long must not wrap around to the other side.
        long ahead = Timestamps.saturatedDifference(event.timestamp, now);
        if (ahead > maxAhead.toMillis()) {
            return "ts "
                    + event.timestamp
                    + " ("
                    + Timestamps.instant(event.timestamp)
                    + ") is "
                    + human(Duration.ofMillis(ahead))
                    + " ahead of the clock, more than "
                    + KafkaJobOptions.EVENT_TIME_MAX_AHEAD.key()
                    + " = "
                    + human(maxAhead);
        }
        long behind = Timestamps.saturatedDifference(now, event.timestamp);
        if (maxBehind != null && behind > maxBehind.toMillis()) {
            return "ts "
                    + event.timestamp
                    + " ("
                    + Timestamps.instant(event.timestamp)
                    + ") is "
                    + human(Duration.ofMillis(behind))
                    + " behind the clock, more than "
                    + KafkaJobOptions.EVENT_TIME_MAX_BEHIND.key()
                    + " = "
                    + human(maxBehind);
        }
        return null;
    }

    /** E.g. {@code 1 h}, {@code 974 d}: the largest unit that divides, else milliseconds. */
    private static String human(Duration d) {
        long days = d.toDays();
        if (days >= 2) {
            return days + " d";
        }
        return TimeUtils.formatWithHighestUnit(d);
    }
}
