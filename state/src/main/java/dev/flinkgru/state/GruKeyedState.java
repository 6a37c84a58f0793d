package dev.flinkgru.state;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * The GRU operator's keyed state, named and described once: the operator declares it through these
 * descriptors, and the savepoint tools read and write it through the same ones, so they always
 * match: the hidden state and the history ({@code ValueState}s) and the events waiting for the
 * watermark ({@code gru.order} EVENT_TIME: a {@code ListState} and the event-time timers that
 * release it, see {@link WaitingEvents}), keyed by the stream's key, without TTL here (the operator
 * adds {@link HiddenStateTtl} when {@code gru.state.ttl} is set).
 */
@PublicEvolving
public final class GruKeyedState {

    /** Name of the keyed state that holds each key's {@link HiddenState}. */
    public static final String HIDDEN_STATE_NAME = "gru-hidden-state";

    /** Name of the keyed state that holds each key's last events ({@code gru.state.history}). */
    public static final String HISTORY_STATE_NAME = "gru-history";

    /** Name of the keyed list state holding each key's events waiting for the watermark. */
    public static final String WAITING_STATE_NAME = "gru-waiting";

    /**
     * Name of the internal timer service whose event-time timers release waiting events: the one
     * Flink's keyed process operators and the State Processor API's bootstrap functions use.
     */
    public static final String TIMER_SERVICE = "user-timers";

    private GruKeyedState() {}

    /** The descriptor of the keyed state holding each key's {@link HiddenState} (no TTL). */
    public static ValueStateDescriptor<HiddenState> hiddenStateDescriptor() {
        return new ValueStateDescriptor<>(HIDDEN_STATE_NAME, HiddenStateSerializer.INSTANCE);
    }

    /** The descriptor of the keyed state holding each key's {@link FeatureHistory} (no TTL). */
    public static ValueStateDescriptor<FeatureHistory> historyDescriptor() {
        return new ValueStateDescriptor<>(HISTORY_STATE_NAME, FeatureHistorySerializer.INSTANCE);
    }

    /** The descriptor of the keyed state holding each key's {@link WaitingEvent}s (no TTL). */
    public static ListStateDescriptor<WaitingEvent> waitingDescriptor() {
        return new ListStateDescriptor<>(WAITING_STATE_NAME, WaitingEventSerializer.INSTANCE);
    }
}
