package dev.flinkgru.operator;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One input event: a key, its event time, an id carried to the output, and F features. Flink
 * serializes it with {@link GruEventSerializer} (its {@link TypeInfo}), not as a POJO.
 */
@PublicEvolving
@TypeInfo(GruEventTypeInfo.Factory.class)
public class GruEvent {

    /** The key whose hidden state the event advances. */
    public String key;

    /** Event time in milliseconds (the record timestamp of the output). */
    public long timestamp;

    /** Caller's id for the event (e.g. a sequence number or Kafka offset), copied to the output. */
    public long eventId;

    /** The F input features of one GRU step. */
    public float[] features;

    /**
     * The record the event was parsed from (e.g. a Kafka record's JSON), or null: carried only so
     * that a refused event can be dead-lettered as it came; never copied to a prediction.
     */
    public String origin;

    /** An event with no fields set. */
    public GruEvent() {}

    public GruEvent(String key, long timestamp, long eventId, float[] features) {
        this.key = key;
        this.timestamp = timestamp;
        this.eventId = eventId;
        this.features = features;
    }

    /** This event with {@code origin} as the record it was parsed from. */
    public GruEvent withOrigin(String origin) {
        this.origin = origin;
        return this;
    }

    public String getKey() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GruEvent)) {
            return false;
        }
        GruEvent that = (GruEvent) o;
        return timestamp == that.timestamp
                && eventId == that.eventId
                && Objects.equals(key, that.key)
                && Arrays.equals(features, that.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, eventId, Arrays.hashCode(features));
    }

    @Override
    public String toString() {
        return "GruEvent{key=" + key + ", ts=" + timestamp + ", id=" + eventId + '}';
    }
}
