package dev.flinkgru.state;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One key's GRU hidden state as plain data: the L·H floats (layer-major), how many steps produced
 * them, the time of the last event, and the fingerprint of the model that produced them.
 *
 * <p>Instances are mutable on purpose: the operator advances a key's state in place and writes it
 * back, which avoids one allocation per event.
 */
@PublicEvolving
public final class HiddenState {

    /** The L·H hidden values, layer 0's H values first. */
    private final float[] values;

    /** Number of GRU steps applied since the zero state. */
    private long steps;

    /** Timestamp of the last event applied, or {@link Long#MIN_VALUE} if none. */
    private long lastEventTime;

    /** Fingerprint of the model that produced {@link #values}. */
    private long modelFingerprint;

    public HiddenState(float[] values, long steps, long lastEventTime, long modelFingerprint) {
        this.values = Objects.requireNonNull(values, "values");
        this.steps = steps;
        this.lastEventTime = lastEventTime;
        this.modelFingerprint = modelFingerprint;
    }

    /** The zero state of a new key, for a model of {@code size} = L·H hidden values. */
    public static HiddenState zero(int size, long modelFingerprint) {
        return new HiddenState(new float[size], 0, Long.MIN_VALUE, modelFingerprint);
    }

    /** The hidden values (layer-major); callers may read, and the operator writes, in place. */
    public float[] values() {
        return values;
    }

    public int size() {
        return values.length;
    }

    public long steps() {
        return steps;
    }

    public long lastEventTime() {
        return lastEventTime;
    }

    public long modelFingerprint() {
        return modelFingerprint;
    }

    /** Applies one step: copies {@code size()} floats from {@code source} at {@code offset}. */
    public void advance(float[] source, int offset, long eventTime) {
        System.arraycopy(source, offset, values, 0, values.length);
        steps++;
        lastEventTime = eventTime;
    }

    /** A deep copy. */
    public HiddenState copy() {
        return new HiddenState(values.clone(), steps, lastEventTime, modelFingerprint);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HiddenState)) {
            return false;
        }
        HiddenState that = (HiddenState) o;
        return steps == that.steps
                && lastEventTime == that.lastEventTime
                && modelFingerprint == that.modelFingerprint
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(values), steps, lastEventTime, modelFingerprint);
    }

    @Override
    public String toString() {
        return "HiddenState{size="
                + values.length
                + ", steps="
                + steps
                + ", lastEventTime="
                + lastEventTime
                + ", model="
                + ModelFingerprint.toHex(modelFingerprint)
                + '}';
    }
}
