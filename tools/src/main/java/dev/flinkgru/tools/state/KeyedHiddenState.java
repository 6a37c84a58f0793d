package dev.flinkgru.tools.state;

import dev.flinkgru.state.FeatureHistory;
import dev.flinkgru.state.HiddenState;

/**
 * One key's {@link HiddenState}, and its {@link FeatureHistory} if it has one, as a Flink POJO: the
 * records the state tools read and write.
 */
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

    /** The key's last events, oldest first, F floats each ({@code gru.state.history}); or null. */
    public float[] history;

    /** F of {@link #history}. */
    public int historyFeatures;

    /** The most events {@link #history} keeps. */
    public int historyCapacity;

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

    /** This key's state with {@code history} as its last events (null: none). */
    public KeyedHiddenState withHistory(FeatureHistory history) {
        if (history == null) {
            this.history = null;
            this.historyFeatures = 0;
            this.historyCapacity = 0;
        } else {
            this.history = history.events();
            this.historyFeatures = history.features();
            this.historyCapacity = history.capacity();
        }
        return this;
    }

    /** The key's last events as the operator keeps them, or null if it has none. */
    public FeatureHistory toFeatureHistory() {
        if (history == null) {
            return null;
        }
        FeatureHistory ring = FeatureHistory.empty(historyFeatures, historyCapacity);
        for (int i = 0; i < history.length / historyFeatures; i++) {
            ring.append(history, i * historyFeatures);
        }
        return ring;
    }

    /** The state as the operator keeps it. */
    public HiddenState toHiddenState() {
        return new HiddenState(values.clone(), steps, lastEventTime, modelFingerprint);
    }
}
