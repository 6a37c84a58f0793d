package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.internal.KeyedEventBuffer;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.HiddenState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a history of events through a {@link BatchPredictor} offline, as the GRU operator would:
 * round r holds each key's r-th event, each round runs in batches of at most the maximum size, and
 * each key starts from the zero state. Only the final states are kept.
 */
final class HistoryRounds {

    private HistoryRounds() {}

    /** Each key's state after all its events, keys in order of first appearance. */
    static Map<String, HiddenState> run(
            List<GruEvent> events, BatchPredictor predictor, int maxBatch) throws Exception {
        ModelShape shape = predictor.shape();
        int f = shape.inputSize();
        int s = shape.stateSize();
        float[] x = new float[maxBatch * f];
        float[] h = new float[maxBatch * s];
        float[] y = new float[maxBatch * shape.outputSize()];
        float[] hNext = new float[maxBatch * s];

        KeyedEventBuffer buffer = new KeyedEventBuffer();
        for (GruEvent event : events) {
            buffer.add(event.key, event);
        }
        Map<String, HiddenState> states = new LinkedHashMap<>();
        List<Object> roundKeys = new ArrayList<>();
        List<GruEvent> round = new ArrayList<>();
        HiddenState[] batch = new HiddenState[maxBatch];
        while (!buffer.isEmpty()) {
            buffer.pollRound(roundKeys, round);
            for (int start = 0; start < round.size(); start += maxBatch) {
                int n = Math.min(maxBatch, round.size() - start);
                for (int i = 0; i < n; i++) {
                    GruEvent event = round.get(start + i);
                    batch[i] =
                            states.computeIfAbsent(
                                    event.key, k -> HiddenState.zero(s, shape.fingerprint()));
                    System.arraycopy(batch[i].values(), 0, h, i * s, s);
                    System.arraycopy(event.features, 0, x, i * f, f);
                }
                predictor.step(n, x, h, y, hNext);
                for (int i = 0; i < n; i++) {
                    batch[i].advance(hNext, i * s, round.get(start + i).timestamp);
                    batch[i] = null;
                }
            }
            roundKeys.clear();
            round.clear();
        }
        return states;
    }
}
