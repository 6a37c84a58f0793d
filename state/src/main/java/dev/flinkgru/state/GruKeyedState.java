package dev.flinkgru.state;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * The GRU operator's keyed state, named and described once: the operator declares it through these
 * descriptors, and the savepoint tools read and write it through the same ones, so they always
 * match. Both are {@code ValueState}s keyed by the stream's key, without TTL here (the operator
 * adds {@link HiddenStateTtl} when {@code gru.state.ttl} is set).
 */
@PublicEvolving
public final class GruKeyedState {

    /** Name of the keyed state that holds each key's {@link HiddenState}. */
    public static final String HIDDEN_STATE_NAME = "gru-hidden-state";

    /** Name of the keyed state that holds each key's last events ({@code gru.state.history}). */
    public static final String HISTORY_STATE_NAME = "gru-history";

    private GruKeyedState() {}

    /** The descriptor of the keyed state holding each key's {@link HiddenState} (no TTL). */
    public static ValueStateDescriptor<HiddenState> hiddenStateDescriptor() {
        return new ValueStateDescriptor<>(HIDDEN_STATE_NAME, HiddenStateSerializer.INSTANCE);
    }

    /** The descriptor of the keyed state holding each key's {@link FeatureHistory} (no TTL). */
    public static ValueStateDescriptor<FeatureHistory> historyDescriptor() {
        return new ValueStateDescriptor<>(HISTORY_STATE_NAME, FeatureHistorySerializer.INSTANCE);
    }
}
