package dev.flinkgru.operator;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/** One output per input event: the event's key, time and id, and the model's output row. */
@PublicEvolving
public class GruPrediction {

    /** Key of the event. */
    public String key;

    /** Event time of the event. */
    public long timestamp;

    /** Id of the event, as given in {@link GruEvent#eventId}. */
    public long eventId;

    /** The model's O outputs for this event. */
    public float[] output;

    /** Steps applied to the key's state, this event included. */
    public long steps;

    /** Fingerprint of the model that produced the output. */
    public long modelFingerprint;

    /** For Flink's POJO serializer. */
    public GruPrediction() {}

    public GruPrediction(
            String key,
            long timestamp,
            long eventId,
            float[] output,
            long steps,
            long modelFingerprint) {
        this.key = key;
        this.timestamp = timestamp;
        this.eventId = eventId;
        this.output = output;
        this.steps = steps;
        this.modelFingerprint = modelFingerprint;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GruPrediction)) {
            return false;
        }
        GruPrediction that = (GruPrediction) o;
        return timestamp == that.timestamp
                && eventId == that.eventId
                && steps == that.steps
                && modelFingerprint == that.modelFingerprint
                && Objects.equals(key, that.key)
                && Arrays.equals(output, that.output);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, eventId, steps, Arrays.hashCode(output));
    }

    @Override
    public String toString() {
        return "GruPrediction{key="
                + key
                + ", ts="
                + timestamp
                + ", id="
                + eventId
                + ", steps="
                + steps
                + ", output="
                + Arrays.toString(output)
                + '}';
    }
}
