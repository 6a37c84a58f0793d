package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.internal.Batch;
import dev.flinkgru.operator.internal.BatchStep;
import dev.flinkgru.operator.internal.KeyedEventBuffer;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.HiddenState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Runs a history of events through a {@link BatchPredictor} offline, with the operator's own batch
 * step ({@link BatchStep}): batches of at most the maximum size, a key's next event only after its
 * last step, each key from the zero state, and the same refusals (non-finite output, a model that
 * fails on the event: the key keeps its state). Only the final states are kept.
 */
final class HistoryRounds {

    /**
     * What the history left.
     *
     * @param states each key's state after all its events, keys in order of first appearance
     * @param refused the events the step refused, with their reasons, in the order refused
     */
    record Result(Map<String, HiddenState> states, List<Refusal> refused) {}

    /** An event the step refused. */
    record Refusal(GruEvent event, String reason) {}

    private HistoryRounds() {}

    static Result run(List<GruEvent> events, BatchPredictor predictor, int maxBatch, int maxFailed)
            throws Exception {
        return run(events, predictor, maxBatch, maxFailed, done -> {});
    }

    /**
     * As {@link #run(List, BatchPredictor, int, int)}; {@code progress} is told the events stepped
     * so far after each batch.
     */
    static Result run(
            List<GruEvent> events,
            BatchPredictor predictor,
            int maxBatch,
            int maxFailed,
            LongConsumer progress)
            throws Exception {
        ModelShape shape = predictor.shape();
        Map<String, HiddenState> states = new LinkedHashMap<>();
        List<Refusal> refused = new ArrayList<>();
        BatchStep.States<GruEvent> keyed =
                new BatchStep.States<>() {
                    @Override
                    public HiddenState read(Object key) {
                        return states.computeIfAbsent(
                                (String) key,
                                k -> HiddenState.zero(shape.stateSize(), shape.fingerprint()));
                    }

                    @Override
                    public void write(Object key, HiddenState state, GruEvent event) {
                        states.put((String) key, state);
                    }
                };
        BatchStep.Results<GruEvent> results =
                new BatchStep.Results<>() {
                    @Override
                    public void predicted(GruEvent event, float[] output, HiddenState state) {}

                    @Override
                    public void refused(GruEvent event, String reason) {
                        refused.add(new Refusal(event, reason));
                    }
                };

        KeyedEventBuffer<GruEvent> buffer = new KeyedEventBuffer<>();
        for (GruEvent event : events) {
            buffer.add(event.key, event);
        }
        BatchStep<GruEvent> step =
                new BatchStep<>(predictor, maxBatch, maxFailed, e -> e.features, e -> e.timestamp);
        Batch<GruEvent> batch = step.newBatch();
        List<Object> keys = new ArrayList<>();
        List<GruEvent> rows = new ArrayList<>();
        long done = 0;
        while (buffer.hasReady()) {
            buffer.pollReady(maxBatch, keys, rows);
            step.gather(batch, keys, rows, keyed);
            keys.clear();
            rows.clear();
            step.run(batch);
            step.apply(batch, keyed, results);
            buffer.complete(batch.keys(), batch.size());
            done += batch.size();
            progress.accept(done);
        }
        return new Result(states, refused);
    }
}
