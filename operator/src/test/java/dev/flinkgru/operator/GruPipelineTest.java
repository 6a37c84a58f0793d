package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.operator.testing.GatedPredictorFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The operator at pipeline depth 2 in Flink's keyed operator harness: batches run on the
 * predictor's own thread (or the shared device batcher's) and come back through the mailbox.
 */
class GruPipelineTest {

    private static final Duration NEVER = Duration.ofHours(1);

    private final List<KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>>
            harnesses = new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            BatchPredictorFactory predictor, int maxBatch, GruInference.Builder options)
            throws Exception {
        GruOperatorFactory factory =
                options.setPredictor(predictor)
                        .setInputSize(1)
                        .optMaxBatchSize(maxBatch)
                        .optMaxDelay(NEVER)
                        .build()
                        .createOperatorFactory();
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        factory, GruEvent::getKey, Types.STRING);
        harnesses.add(harness);
        return harness;
    }

    private static GruInference.Builder depth(int depth) {
        return GruInference.builder().optPipelineDepth(depth);
    }

    private static StreamRecord<GruEvent> event(String key, long id, float x) {
        return new StreamRecord<>(new GruEvent(key, 1000 + id, id, new float[] {x}), 1000 + id);
    }

    private static GruOperator operator(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        return (GruOperator) harness.getOperator();
    }

    @Test
    void aKeyWithAStepInFlightWaitsForItsResult(TestInfo info) throws Exception {
        String name = info.getDisplayName();
        var harness = harness(new GatedPredictorFactory(name), 2, depth(2));
        GatedPredictorFactory.Gate gate = GatedPredictorFactory.gate(name);
        harness.open();
        harness.processElement(event("a", 0, 1f));
        harness.processElement(event("b", 1, 2f)); // a full batch: it leaves at once
        gate.awaitEntered(1);

        // a's next event waits for a's step; c is ready, but half a batch waits while one runs.
        harness.processElement(event("a", 2, 3f));
        harness.processElement(event("c", 3, 4f));
        assertThat(gate.calls()).containsExactly(List.of(1f, 2f));
        assertThat(operator(harness).batchesInFlight()).isEqualTo(1);
        assertThat(operator(harness).bufferedEvents()).isEqualTo(2);
        assertThat(harness.extractOutputValues()).isEmpty();

        gate.open();
        operator(harness).finish();

        // The end of input sends c on at once; a's second event only after a's first step.
        assertThat(gate.calls()).containsExactly(List.of(1f, 2f), List.of(4f), List.of(3f));
        assertThat(harness.extractOutputValues())
                .filteredOn(p -> p.key.equals("a"))
                .extracting(p -> p.eventId, p -> p.output[0], p -> p.steps)
                .containsExactly(tuple(0L, 1f, 1L), tuple(2L, 4f, 2L));
        assertThat(harness.extractOutputValues()).hasSize(4);
    }

    @Test
    void watermarksAndBarriersNeverOvertakeAnEventInFlight(TestInfo info) throws Exception {
        Random random = new Random(3);
        List<StreamRecord<GruEvent>> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(event("k" + random.nextInt(13), i, random.nextInt(10)));
        }
        var whole =
                harness(
                        new CountingPredictorFactory(info.getDisplayName() + "-1", 1L),
                        8,
                        depth(1));
        whole.open();
        for (var e : events) {
            whole.processElement(e);
        }
        operator(whole).finish();
        Map<Long, GruPrediction> expected = byId(whole.extractOutputValues());

        var first =
                harness(
                        new CountingPredictorFactory(info.getDisplayName() + "-2", 1L),
                        8,
                        depth(2));
        first.open();
        for (var e : events.subList(0, 50)) {
            first.processElement(e);
        }
        first.processWatermark(new Watermark(5000));
        List<Object> out = new ArrayList<>(first.getOutput());
        assertThat(out).hasSize(51);
        assertThat(out.get(50))
                .as("the watermark after every event before it")
                .isEqualTo(new Watermark(5000));

        for (var e : events.subList(50, 101)) {
            first.processElement(e);
        }
        first.prepareSnapshotPreBarrier(1);
        assertThat(first.extractOutputValues()).as("before the barrier").hasSize(101);
        assertThat(operator(first).batchesInFlight()).isZero();
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        Map<Long, GruPrediction> actual = byId(first.extractOutputValues());

        var second =
                harness(
                        new CountingPredictorFactory(info.getDisplayName() + "-3", 1L),
                        8,
                        depth(3));
        second.initializeState(snapshot);
        second.open();
        for (var e : events.subList(101, events.size())) {
            second.processElement(e);
        }
        operator(second).finish();
        actual.putAll(byId(second.extractOutputValues()));

        assertThat(actual).hasSize(200).isEqualTo(expected);
    }

    private static Map<Long, GruPrediction> byId(List<GruPrediction> predictions) {
        Map<Long, GruPrediction> map = new HashMap<>();
        for (GruPrediction p : predictions) {
            assertThat(map.put(p.eventId, p)).as("duplicate output for %s", p.eventId).isNull();
        }
        return map;
    }

    @Test
    void rowsAModelFailsOnInFlightAreRefusedAndTheOthersProceed(TestInfo info) throws Exception {
        var harness = harness(new CountingPredictorFactory(info.getDisplayName(), 1L), 4, depth(2));
        harness.open();
        harness.processElement(event("a", 0, 2f));
        harness.processElement(event("b", 1, CountingPredictorFactory.FAIL));
        harness.processElement(event("c", 2, 3f));
        harness.processElement(event("d", 3, 4f));
        harness.processElement(event("b", 4, 5f));
        operator(harness).finish();
        assertThat(harness.getSideOutput(GruInference.REJECTED))
                .extracting(r -> r.getValue().event.eventId)
                .containsExactly(1L);
        assertThat(harness.extractOutputValues())
                .extracting(p -> p.key, p -> p.output[0], p -> p.steps)
                .containsExactlyInAnyOrder(
                        tuple("a", 2f, 1L),
                        tuple("c", 3f, 1L),
                        tuple("d", 4f, 1L),
                        tuple("b", 5f, 1L));
    }

    @Test
    void aFailedInFlightStepFailsTheTask(TestInfo info) throws Exception {
        var harness =
                harness(
                        new CountingPredictorFactory(info.getDisplayName(), 1L),
                        2,
                        depth(2).optMaxFailedRows(0));
        harness.open();
        harness.processElement(event("a", 0, CountingPredictorFactory.FAIL));
        harness.processElement(event("b", 1, CountingPredictorFactory.FAIL));
        assertThatThrownBy(() -> operator(harness).finish())
                .hasMessageContaining("the model failed on 1 rows in a row")
                .hasRootCauseMessage(CountingPredictorFactory.FAILURE_MESSAGE);
    }

    @Test
    void aFullBufferWaitsForABatchInFlightAndNothingIsLost(TestInfo info) throws Exception {
        var harness = harness(new CountingPredictorFactory(info.getDisplayName(), 1L), 4, depth(2));
        harness.open();
        Random random = new Random(5);
        for (int i = 0; i < 1000; i++) {
            harness.processElement(event("k" + random.nextInt(40), i, 1f));
            assertThat(operator(harness).bufferedEvents())
                    .as("a batch per batch that may be in flight")
                    .isLessThanOrEqualTo(2 * 4);
            assertThat(operator(harness).batchesInFlight()).isLessThanOrEqualTo(2);
        }
        operator(harness).finish();
        List<GruPrediction> out = harness.extractOutputValues();
        assertThat(out).hasSize(1000);
        Map<String, Long> steps = new HashMap<>();
        for (GruPrediction p : out) {
            long previous = steps.getOrDefault(p.key, 0L);
            assertThat(p.steps).as("steps of %s in order", p.key).isEqualTo(previous + 1);
            steps.put(p.key, p.steps);
        }
        assertThat(CountingPredictorFactory.batches(info.getDisplayName())).allMatch(b -> b <= 4);
    }

    @Test
    void theSharedDeviceBatcherJoinsTheBatchesOfTwoSubtasks(TestInfo info) throws Exception {
        String name = info.getDisplayName();
        GatedPredictorFactory predictor = new GatedPredictorFactory(name);
        GruInference.Builder shared = depth(2).optDeviceShared(true).optDeviceMaxBatch(8);
        var one = harness(predictor, 4, shared);
        var two = harness(predictor, 4, depth(2).optDeviceShared(true).optDeviceMaxBatch(8));
        GatedPredictorFactory.Gate gate = GatedPredictorFactory.gate(name);
        one.open();
        two.open();
        for (int i = 0; i < 4; i++) {
            one.processElement(event("a" + i, i, 10 + i));
        }
        gate.awaitEntered(1); // the device is busy with subtask one's first batch
        for (int i = 4; i < 8; i++) {
            one.processElement(event("a" + i, i, 10 + i));
        }
        for (int i = 0; i < 8; i++) {
            two.processElement(event("b" + i, 100 + i, 20 + i));
        }
        gate.open();
        operator(one).finish();
        operator(two).finish();

        // One batch, then two of the three waiting joined into one call of 8 rows, then the last.
        // Each batch waits at the batcher on a thread of its subtask's, so the three arrive in
        // any order (their keys are distinct, so no key's order depends on it).
        assertThat(gate.calls()).extracting(List::size).containsExactly(4, 8, 4);
        List<Float> joined = gate.calls().get(1);
        List<List<Float>> waiting =
                List.of(
                        List.of(14f, 15f, 16f, 17f),
                        List.of(20f, 21f, 22f, 23f),
                        List.of(24f, 25f, 26f, 27f));
        assertThat(waiting).contains(joined.subList(0, 4), joined.subList(4, 8));
        assertThat(joined.subList(0, 4)).isNotEqualTo(joined.subList(4, 8));
        assertThat(waiting).contains(gate.calls().get(2));
        assertThat(gate.calls().get(2)).isNotIn(joined.subList(0, 4), joined.subList(4, 8));
        assertThat(one.extractOutputValues())
                .extracting(p -> p.key, p -> p.output[0])
                .containsExactlyInAnyOrder(
                        tuple("a0", 10f),
                        tuple("a1", 11f),
                        tuple("a2", 12f),
                        tuple("a3", 13f),
                        tuple("a4", 14f),
                        tuple("a5", 15f),
                        tuple("a6", 16f),
                        tuple("a7", 17f));
        assertThat(two.extractOutputValues()).hasSize(8).allMatch(p -> p.key.startsWith("b"));
        assertThat(two.extractOutputValues())
                .allMatch(p -> p.output[0] == 20 + (p.eventId - 100) && p.steps == 1);
    }
}
