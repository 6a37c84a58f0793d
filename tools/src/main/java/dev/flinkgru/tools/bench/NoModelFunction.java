package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.state.GruKeyedState;
import dev.flinkgru.state.HiddenState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The "no-model" ceiling: per event, read the key's hidden state, write a state of the same size
 * back and emit one prediction — the operator's state traffic without batching or a model.
 */
final class NoModelFunction extends KeyedProcessFunction<String, GruEvent, GruPrediction> {

    private static final long serialVersionUID = 1L;

    private final int stateSize;
    private transient ValueState<HiddenState> state;

    NoModelFunction(int stateSize) {
        this.stateSize = stateSize;
    }

    @Override
    public void open(OpenContext context) {
        state = getRuntimeContext().getState(GruKeyedState.hiddenStateDescriptor());
    }

    @Override
    public void processElement(GruEvent event, Context ctx, Collector<GruPrediction> out)
            throws Exception {
        HiddenState current = state.value();
        if (current == null) {
            current = HiddenState.zero(stateSize, 0L);
        }
        float[] next = current.values();
        next[0] += event.features[0];
        current.advance(next, 0, event.timestamp);
        state.update(current);
        out.collect(
                new GruPrediction(
                        event.key,
                        event.timestamp,
                        event.eventId,
                        new float[] {next[0]},
                        current.steps(),
                        0L));
    }
}
