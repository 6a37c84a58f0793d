package dev.flinkgru.state;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * An event of a key that waits in keyed state for the watermark to reach its timestamp ({@code
 * gru.order} EVENT_TIME), as the event came.
 *
 * @param key the event's key (the state's key, as the job's key selector took it from the event)
 * @param timestamp event time in milliseconds
 * @param eventId the caller's id for the event
 * @param features the F input features
 * @param origin the record the event was parsed from (for a dead letter), or null
 */
@PublicEvolving
public record WaitingEvent(
        String key, long timestamp, long eventId, float[] features, String origin) {

    public WaitingEvent {
        Objects.requireNonNull(features, "features");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WaitingEvent that
                && Objects.equals(key, that.key)
                && timestamp == that.timestamp
                && eventId == that.eventId
                && Arrays.equals(features, that.features)
                && Objects.equals(origin, that.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, eventId, Arrays.hashCode(features), origin);
    }

    @Override
    public String toString() {
        return "WaitingEvent{key="
                + key
                + ", ts="
                + timestamp
                + ", id="
                + eventId
                + ", F="
                + features.length
                + '}';
    }
}
