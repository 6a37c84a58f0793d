package dev.flinkgru.tools.state;

import dev.flinkgru.state.HiddenState;

/** One key's {@link HiddenState} as a Flink POJO, the records the state tools read and write. */
public class KeyedHiddenState {

    /** The key. */
    public String key;

    /** The L·H hidden values, layer-major. */
    public float[] values;

    /** GRU steps applied since the zero state. */
    public long steps;

    /** Timestamp of the last event applied. */
    public long lastEventTime;

    /** Fingerprint of the model that computed the values. */
    public long modelFingerprint;

    /** For Flink's POJO serializer. */
    public KeyedHiddenState() {}

    public KeyedHiddenState(String key, HiddenState state) {
        this.key = key;
        this.values = state.values().clone();
        this.steps = state.steps();
        this.lastEventTime = state.lastEventTime();
        this.modelFingerprint = state.modelFingerprint();
    }

    public String getKey() {
        return key;
    }

    /** The state as the operator keeps it. */
    public HiddenState toHiddenState() {
        return new HiddenState(values.clone(), steps, lastEventTime, modelFingerprint);
    }
}
