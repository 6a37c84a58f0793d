package dev.flinkgru.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.state.HiddenState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The batch step with the counting fake: isolation of the rows a model fails on. */
class BatchStepTest {

    private static final float FAIL = CountingPredictorFactory.FAIL;

    /** States in a map, results in lists. */
    private static final class Recorder
            implements BatchStep.States<GruEvent>, BatchStep.Results<GruEvent> {
        final Map<Object, HiddenState> states = new HashMap<>();
        final Map<Long, float[]> outputs = new LinkedHashMap<>();
        final Map<Long, String> refused = new LinkedHashMap<>();

        @Override
        public HiddenState read(Object key) {
            HiddenState state = states.get(key);
            return state == null ? HiddenState.zero(2, 1L) : state.copy();
        }

        @Override
        public void write(Object key, HiddenState state, GruEvent event) {
            states.put(key, state);
        }

        @Override
        public void predicted(GruEvent event, float[] output, HiddenState state) {
            outputs.put(event.eventId, output);
        }

        @Override
        public void refused(GruEvent event, String reason) {
            refused.put(event.eventId, reason);
        }
    }

    private static BatchPredictor predictor(TestInfo info) {
        return new CountingPredictorFactory(info.getDisplayName(), 1L).open(1, 8);
    }

    /** One step over events {@code x[i]} of keys k0, k1, ... */
    private static BatchStep<GruEvent> step(BatchPredictor predictor, int maxBatch, int maxFailed) {
        return new BatchStep<>(predictor, maxBatch, maxFailed, e -> e.features, e -> e.timestamp);
    }

    private static void step(BatchStep<GruEvent> step, Recorder recorder, float... x)
            throws Exception {
        List<Object> keys = new ArrayList<>();
        List<GruEvent> events = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            keys.add("k" + i);
            events.add(new GruEvent("k" + i, i, i, new float[] {x[i]}));
        }
        Batch<GruEvent> batch = step.newBatch();
        step.gather(batch, keys, events, recorder);
        step.run(batch);
        step.apply(batch, recorder, recorder);
    }

    @Test
    void theRowsTheModelFailsOnAreRefusedAndTheOthersProceed(TestInfo info) throws Exception {
        BatchStep<GruEvent> step = step(predictor(info), 8, 100);
        Recorder recorder = new Recorder();
        step(step, recorder, 1, 2, 3, 4, 5, 6, 7, 8);
        step(step, recorder, 10, FAIL, 30, 40, 50, FAIL, 70, 80);

        assertThat(recorder.refused)
                .containsOnlyKeys(1L, 5L)
                .allSatisfy(
                        (id, reason) ->
                                assertThat(reason)
                                        .isEqualTo(
                                                BatchStep.MODEL_FAILED
                                                        + CountingPredictorFactory
                                                                .FAILURE_MESSAGE));
        // The others stepped on from their states: the running sum of their inputs.
        assertThat(recorder.outputs.get(0L)).containsExactly(11f, 2f);
        assertThat(recorder.outputs.get(7L)).containsExactly(88f, 2f);
        assertThat(recorder.outputs.get(6L)).containsExactly(77f, 2f);
        // The failed keys kept the state of their first step.
        assertThat(recorder.states.get("k1").values()).containsExactly(2f, 1f);
        assertThat(recorder.states.get("k1").steps()).isEqualTo(1);
        assertThat(recorder.states.get("k5").values()).containsExactly(6f, 1f);
    }

    @Test
    void isolationSplitsTheBatchInHalvesDownToTheFailingRow(TestInfo info) throws Exception {
        BatchStep<GruEvent> step = step(predictor(info), 8, 100);
        step(step, new Recorder(), 1, 2, 3, 4, 5, 6, 7, FAIL);
        // 8 fails; halves 4 (ok) and 4 (fails); 2 (ok), 2 (fails); 1 (ok), 1 (fails).
        assertThat(CountingPredictorFactory.batches(info.getDisplayName()))
                .containsExactly(8, 4, 4, 2, 2, 1, 1);
    }

    @Test
    void aModelThatFailsOnEverythingFailsTheStepAfterTheBound(TestInfo info) throws Exception {
        BatchStep<GruEvent> step = step(predictor(info), 8, 10);
        Recorder recorder = new Recorder();
        step(step, recorder, FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, FAIL);
        assertThat(recorder.refused).hasSize(8);

        assertThatThrownBy(() -> step(step, recorder, FAIL, FAIL, FAIL, FAIL))
                .hasMessageContaining("the model failed on 11 rows in a row")
                .hasMessageContaining("gru.predictor.max-failed-rows = 10")
                .hasRootCauseMessage(CountingPredictorFactory.FAILURE_MESSAGE);
    }

    @Test
    void anyOutputResetsTheCountOfFailedRows(TestInfo info) throws Exception {
        BatchStep<GruEvent> step = step(predictor(info), 8, 3);
        Recorder recorder = new Recorder();
        for (int i = 0; i < 10; i++) {
            step(step, recorder, FAIL, FAIL, FAIL, 1);
        }
        assertThat(recorder.refused).hasSize(3); // ids 0..2, the same ids each round
        assertThat(recorder.states.get("k3").steps()).isEqualTo(10);
    }
}
