package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.flush.FlushReason;
import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.operator.testing.StateBackends;
import dev.flinkgru.state.FingerprintMismatchPolicy;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The operator in Flink's keyed operator test harness, with a deterministic fake model. */
class GruOperatorTest {

    private static final long MODEL_A = 0xAAAAL;
    private static final long MODEL_B = 0xBBBBL;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>>
            harnesses = new ArrayList<>();
    private String name;

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            TestInfo info,
            int maxBatch,
            Duration maxDelay,
            long fingerprint,
            FingerprintMismatchPolicy policy)
            throws Exception {
        name = info.getDisplayName() + "#" + harnesses.size();
        GruOperatorFactory operator =
                GruInference.builder()
                        .setPredictor(new CountingPredictorFactory(name, fingerprint))
                        .setInputSize(1)
                        .optMaxBatchSize(maxBatch)
                        .optMaxDelay(maxDelay)
                        .optMismatchPolicy(policy)
                        .optPipelineDepth(1)
                        .build()
                        .createOperatorFactory();
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        operator, GruEvent::getKey, Types.STRING);
        harnesses.add(harness);
        return harness;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            TestInfo info, int maxBatch, Duration maxDelay) throws Exception {
        return harness(info, maxBatch, maxDelay, MODEL_A, FingerprintMismatchPolicy.RESET);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harnessWithTtl(
            TestInfo info, Duration ttl) throws Exception {
        name = info.getDisplayName() + "#" + harnesses.size();
        GruInference.Builder builder =
                GruInference.builder()
                        .setPredictor(new CountingPredictorFactory(name, MODEL_A))
                        .setInputSize(1)
                        .optMaxBatchSize(1)
                        .optPipelineDepth(1);
        if (ttl != null) {
            builder.optStateTtl(ttl);
        }
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        builder.build().createOperatorFactory(), GruEvent::getKey, Types.STRING);
        harnesses.add(harness);
        return harness;
    }

    private static final Duration NEVER = Duration.ofHours(1);

    private static StreamRecord<GruEvent> event(String key, long id, float x) {
        return new StreamRecord<>(new GruEvent(key, 1000 + id, id, new float[] {x}), 1000 + id);
    }

    private static GruOperator operator(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        return (GruOperator) harness.getOperator();
    }

    private static long flushes(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness,
            FlushReason reason) {
        return operator(harness).metrics().flushes(reason);
    }

    @Test
    void flushesWhenTheBufferReachesTheMaximumBatchSize(TestInfo info) throws Exception {
        var harness = harness(info, 4, NEVER);
        harness.open();
        for (int i = 0; i < 3; i++) {
            harness.processElement(event("k" + i, i, 1f));
        }
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processElement(event("k3", 3, 1f));

        assertThat(harness.extractOutputValues()).hasSize(4);
        assertThat(CountingPredictorFactory.batches(name)).containsExactly(4);
        assertThat(flushes(harness, FlushReason.SIZE)).isEqualTo(1);
    }

    @Test
    void flushesWhenTheMaximumDelayPasses(TestInfo info) throws Exception {
        var harness = harness(info, 100, Duration.ofMillis(10));
        harness.open();
        harness.setProcessingTime(0);
        harness.processElement(event("a", 0, 1f));
        harness.setProcessingTime(5);
        harness.processElement(event("b", 1, 1f));
        harness.setProcessingTime(9);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(10);

        assertThat(harness.extractOutputValues()).extracting(p -> p.key).containsExactly("a", "b");
        assertThat(flushes(harness, FlushReason.DELAY)).isEqualTo(1);

        // The next event starts a new delay from its own arrival.
        harness.processElement(event("a", 2, 1f));
        harness.setProcessingTime(19);
        assertThat(harness.extractOutputValues()).hasSize(2);
        harness.setProcessingTime(20);
        assertThat(harness.extractOutputValues()).hasSize(3);
        assertThat(flushes(harness, FlushReason.DELAY)).isEqualTo(2);
    }

    @Test
    void aSizeFlushCancelsThePendingDelay(TestInfo info) throws Exception {
        var harness = harness(info, 2, Duration.ofMillis(10));
        harness.open();
        harness.setProcessingTime(0);
        harness.processElement(event("a", 0, 1f));
        harness.processElement(event("b", 1, 1f));
        harness.setProcessingTime(3);
        harness.processElement(event("c", 2, 1f));
        harness.setProcessingTime(10); // the first buffer's deadline: c must still wait
        assertThat(harness.extractOutputValues()).hasSize(2);
        harness.setProcessingTime(13);
        assertThat(harness.extractOutputValues()).hasSize(3);
    }

    @Test
    void repeatedKeysRunInRoundsInPerKeyOrder(TestInfo info) throws Exception {
        var harness = harness(info, 16, NEVER);
        harness.open();
        // a ×3, b ×1, c ×2, interleaved.
        String[] keys = {"a", "b", "a", "c", "a", "c"};
        for (int i = 0; i < keys.length; i++) {
            harness.processElement(event(keys[i], i, i + 1));
        }
        harness.processWatermark(new Watermark(5000));

        assertThat(CountingPredictorFactory.batches(name)).containsExactly(3, 2, 1);
        List<GruPrediction> out = harness.extractOutputValues();
        assertThat(out).hasSize(6);
        Map<String, List<Long>> idsByKey = new HashMap<>();
        for (GruPrediction p : out) {
            idsByKey.computeIfAbsent(p.key, k -> new ArrayList<>()).add(p.eventId);
        }
        assertThat(idsByKey.get("a")).containsExactly(0L, 2L, 4L);
        assertThat(idsByKey.get("c")).containsExactly(3L, 5L);
        // Running sums per key: a = 1, 1+3, 1+3+5.
        assertThat(out.stream().filter(p -> p.key.equals("a")).map(p -> p.output[0]))
                .containsExactly(1f, 4f, 9f);
        assertThat(out.stream().filter(p -> p.key.equals("a")).map(p -> p.steps))
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void outputsCarryKeyTimestampAndEventId(TestInfo info) throws Exception {
        var harness = harness(info, 1, NEVER);
        harness.open();
        harness.processElement(event("k", 7, 2f));
        var record = harness.extractOutputStreamRecords().get(0);
        GruPrediction p = (GruPrediction) record.getValue();
        assertThat(record.getTimestamp()).isEqualTo(1007L);
        assertThat(p.key).isEqualTo("k");
        assertThat(p.timestamp).isEqualTo(1007L);
        assertThat(p.eventId).isEqualTo(7L);
        assertThat(p.output).containsExactly(2f, 1f);
        assertThat(p.modelFingerprint).isEqualTo(MODEL_A);
    }

    @Test
    void aWatermarkNeverOvertakesABufferedEvent(TestInfo info) throws Exception {
        var harness = harness(info, 100, NEVER);
        harness.open();
        harness.processElement(event("a", 0, 1f));
        harness.processElement(event("b", 1, 1f));
        harness.processWatermark(new Watermark(1001));
        harness.processElement(event("a", 2, 1f));
        harness.processWatermark(new Watermark(1002));

        List<Object> out = new ArrayList<>(harness.getOutput());
        assertThat(out).hasSize(5);
        assertThat(out.get(2)).isEqualTo(new Watermark(1001));
        assertThat(out.get(4)).isEqualTo(new Watermark(1002));
        for (int i : new int[] {0, 1, 3}) {
            assertThat(out.get(i)).isInstanceOf(StreamRecord.class);
        }
        assertThat(flushes(harness, FlushReason.WATERMARK)).isEqualTo(2);
    }

    @Test
    void flushesAtEndOfInput(TestInfo info) throws Exception {
        var harness = harness(info, 100, NEVER);
        harness.open();
        harness.processElement(event("a", 0, 1f));
        harness.processElement(event("a", 1, 1f));
        operator(harness).finish();
        assertThat(harness.extractOutputValues())
                .extracting(p -> p.eventId)
                .containsExactly(0L, 1L);
        assertThat(flushes(harness, FlushReason.END_OF_INPUT)).isEqualTo(1);
    }

    @Test
    void bufferedEventsAreFlushedBeforeTheBarrierAndRestoreContinuesTheStream(TestInfo info)
            throws Exception {
        Random random = new Random(3);
        List<StreamRecord<GruEvent>> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(event("k" + random.nextInt(13), i, random.nextInt(10)));
        }

        // Uninterrupted.
        var whole = harness(info, 8, NEVER);
        whole.open();
        for (var e : events) {
            whole.processElement(e);
        }
        operator(whole).finish();
        Map<Long, GruPrediction> expected = byId(whole.extractOutputValues());

        // Snapshot mid-stream with events buffered, then restore into a new operator.
        var first = harness(info, 8, NEVER);
        first.open();
        for (var e : events.subList(0, 101)) {
            first.processElement(e);
        }
        first.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        assertThat(first.extractOutputValues()).hasSize(101);
        assertThat(flushes(first, FlushReason.CHECKPOINT)).isEqualTo(1);
        Map<Long, GruPrediction> actual = byId(first.extractOutputValues());

        var second = harness(info, 8, NEVER);
        second.initializeState(snapshot);
        second.open();
        for (var e : events.subList(101, events.size())) {
            second.processElement(e);
        }
        operator(second).finish();
        actual.putAll(byId(second.extractOutputValues()));

        assertThat(actual).isEqualTo(expected);
        assertThat(actual).hasSize(200);
    }

    private static Map<Long, GruPrediction> byId(List<GruPrediction> predictions) {
        Map<Long, GruPrediction> map = new HashMap<>();
        for (GruPrediction p : predictions) {
            assertThat(map.put(p.eventId, p)).as("duplicate output for %s", p.eventId).isNull();
        }
        return map;
    }

    @Test
    void invalidEventsGoToTheRejectedOutputAndLeaveStateAlone(TestInfo info) throws Exception {
        var harness = harness(info, 1, NEVER);
        harness.open();
        harness.processElement(event("a", 0, 2f));
        harness.processElement(
                new StreamRecord<>(new GruEvent("a", 1, 1, new float[] {1f, 2f}), 1));
        harness.processElement(event("a", 2, Float.NaN));
        harness.processElement(event("a", 3, Float.POSITIVE_INFINITY));
        harness.processElement(new StreamRecord<>(new GruEvent("a", 4, 4, null), 4));
        harness.processElement(event("a", 5, 3f));

        assertThat(harness.getSideOutput(GruInference.REJECTED))
                .extracting(r -> r.getValue().reason)
                .containsExactly(
                        "expected 1 features, got 2",
                        "feature x0 is NaN",
                        "feature x0 is Infinity",
                        "expected 1 features, got none");
        assertThat(harness.extractOutputValues())
                .extracting(p -> p.output[0])
                .containsExactly(2f, 5f);
        assertThat(operator(harness).metrics().rejected()).isEqualTo(4);
    }

    @Test
    void theBufferNeverHoldsMoreThanTheMaximumBatchSize(TestInfo info) throws Exception {
        var harness = harness(info, 16, NEVER);
        harness.open();
        Random random = new Random(5);
        for (int i = 0; i < 1000; i++) {
            harness.processElement(event("k" + random.nextInt(40), i, 1f));
            assertThat(harness.getOutput().size() + bufferedEvents(harness)).isEqualTo(i + 1);
            assertThat(bufferedEvents(harness)).isLessThan(16);
        }
        assertThat(CountingPredictorFactory.batches(name)).allMatch(b -> b <= 16);
    }

    private static int bufferedEvents(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        return operator(harness).bufferedEvents();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void statesOfAnotherModelAreResetAndCounted(String backend, TestInfo info) throws Exception {
        var before = StateBackends.on(backend, harness(info, 1, NEVER));
        before.open();
        before.processElement(event("a", 0, 5f));
        OperatorSubtaskState snapshot = before.snapshot(1, 1);

        var after =
                StateBackends.on(
                        backend, harness(info, 1, NEVER, MODEL_B, FingerprintMismatchPolicy.RESET));
        after.initializeState(snapshot);
        after.open();
        after.processElement(event("a", 1, 1f));

        GruPrediction p = after.extractOutputValues().get(0);
        assertThat(p.output).containsExactly(1f, 1f);
        assertThat(p.steps).isEqualTo(1);
        assertThat(operator(after).metrics().stateResets()).isEqualTo(1);
    }

    @Test
    void statesOfAnotherModelFailTheJobUnderPolicyFail(TestInfo info) throws Exception {
        var before = harness(info, 1, NEVER);
        before.open();
        before.processElement(event("a", 0, 5f));
        OperatorSubtaskState snapshot = before.snapshot(1, 1);

        var after = harness(info, 1, NEVER, MODEL_B, FingerprintMismatchPolicy.FAIL);
        after.initializeState(snapshot);
        after.open();
        assertThatThrownBy(() -> after.processElement(event("a", 1, 1f)))
                .hasMessageContaining("key 'a'")
                .hasMessageContaining("000000000000aaaa")
                .hasMessageContaining("000000000000bbbb");
    }

    @Test
    void nonFiniteModelOutputIsRefusedAndTheStateKept(TestInfo info) throws Exception {
        var harness = harness(info, 4, NEVER);
        harness.open();
        harness.processElement(event("a", 0, 2f));
        harness.processElement(event("b", 1, 1f));
        harness.processElement(event("a", 2, CountingPredictorFactory.POISON));
        harness.processElement(event("a", 3, 3f));
        operator(harness).finish();

        assertThat(harness.getSideOutput(GruInference.REJECTED))
                .extracting(r -> r.getValue().event.eventId, r -> r.getValue().reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, GruOperator.NON_FINITE_OUTPUT));
        // a's running sum skips the poisoned step: 2, then 2 + 3.
        assertThat(harness.extractOutputValues().stream().filter(p -> p.key.equals("a")))
                .extracting(p -> p.output[0], p -> p.steps)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2f, 1L),
                        org.assertj.core.groups.Tuple.tuple(5f, 2L));
        assertThat(operator(harness).metrics().predictions()).isEqualTo(3);
    }

    @Test
    void anEventTheModelFailsOnIsRefusedAndItsKeyKeepsItsState(TestInfo info) throws Exception {
        var harness = harness(info, 4, NEVER);
        harness.open();
        harness.processElement(event("a", 0, 2f));
        harness.processElement(event("b", 1, 1f));
        harness.processElement(event("c", 2, 1f));
        harness.processElement(event("d", 3, 1f));
        // A batch of four in which the model throws on b's event.
        harness.processElement(event("a", 4, 3f));
        harness.processElement(event("b", 5, CountingPredictorFactory.FAIL));
        harness.processElement(event("c", 6, 1f));
        harness.processElement(event("d", 7, 1f));
        harness.processElement(event("b", 8, 4f));
        operator(harness).finish();

        assertThat(harness.getSideOutput(GruInference.REJECTED))
                .extracting(r -> r.getValue().event.eventId, r -> r.getValue().reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                5L,
                                "the model failed on this event: "
                                        + CountingPredictorFactory.FAILURE_MESSAGE));
        assertThat(harness.extractOutputValues().stream().filter(p -> p.key.equals("b")))
                .extracting(p -> p.output[0], p -> p.steps)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1f, 1L),
                        org.assertj.core.groups.Tuple.tuple(5f, 2L));
        assertThat(harness.extractOutputValues()).hasSize(8);
        assertThat(operator(harness).metrics().modelFailures()).isEqualTo(1);
        assertThat(operator(harness).metrics().rejected()).isEqualTo(1);
    }

    @Test
    void aModelThatFailsOnEverythingFailsTheTask(TestInfo info) throws Exception {
        var harness = harness(info, 4, NEVER);
        harness.open();
        // 100 rows (the default bound) fail, each refused; the 101st fails the task.
        for (int i = 0; i < 103; i++) {
            harness.processElement(event("k" + (i % 4), i, CountingPredictorFactory.FAIL));
        }
        assertThat(harness.getSideOutput(GruInference.REJECTED)).hasSize(100);
        assertThatThrownBy(
                        () ->
                                harness.processElement(
                                        event("k3", 103, CountingPredictorFactory.FAIL)))
                .hasMessageContaining("GRU batch inference failed")
                .hasMessageContaining("101 rows in a row")
                .hasRootCauseMessage(CountingPredictorFactory.FAILURE_MESSAGE);
        assertThat(operator(harness).metrics().modelFailures())
                .isEqualTo((long) GruOptions.PREDICTOR_MAX_FAILED_ROWS.defaultValue());
    }

    /**
     * A real model that is right for up to 8 rows and returns too few rows of y beyond: the first
     * batch of 9 fails the task with the shapes named, and nothing is emitted from wrong bytes.
     */
    @Test
    void aModelBreakingTheContractOnABatchFailsTheTask() throws Exception {
        String model =
                dev.flinkgru.operator.testing.TorchFixture.root()
                        .resolve("faulty/y-rows-capped.onnx")
                        .toString();
        GruOperatorFactory factory =
                GruInference.builder()
                        .setPredictor(
                                new dev.flinkgru.operator.predictor.OnnxPredictorFactory(
                                        model, 8, 1))
                        .setInputSize(3)
                        .optMaxBatchSize(16)
                        .optMaxDelay(NEVER)
                        .optPipelineDepth(1)
                        .build()
                        .createOperatorFactory();
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        factory, GruEvent::getKey, Types.STRING);
        harnesses.add(harness);
        harness.open();
        GruOperator operator = operator(harness);
        for (int i = 0; i < 9; i++) {
            harness.processElement(
                    new StreamRecord<>(new GruEvent("k" + i, i, i, new float[] {1f, 2f, 3f}), i));
        }
        assertThatThrownBy(() -> operator.finish())
                .hasMessage("GRU batch inference failed.")
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("broke the contract on a batch of 9 rows (padded to 16)")
                .hasMessageContaining("returned y [8, 2] float32");
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void idleKeysExpireAfterTheTtl(String backend, TestInfo info) throws Exception {
        var harness = StateBackends.on(backend, harnessWithTtl(info, Duration.ofMillis(100)));
        harness.setStateTtlProcessingTime(0);
        harness.open();
        harness.processElement(event("a", 0, 2f));
        harness.setStateTtlProcessingTime(99);
        harness.processElement(event("a", 1, 2f));
        harness.setStateTtlProcessingTime(198); // 99 ms after the last write: still alive
        harness.processElement(event("a", 2, 2f));
        harness.setStateTtlProcessingTime(299); // 101 ms idle: expired, starts from zero
        harness.processElement(event("a", 3, 5f));

        assertThat(harness.extractOutputValues())
                .extracting(p -> p.output[0], p -> p.steps)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2f, 1L),
                        org.assertj.core.groups.Tuple.tuple(4f, 2L),
                        org.assertj.core.groups.Tuple.tuple(6f, 3L),
                        org.assertj.core.groups.Tuple.tuple(5f, 1L));
    }

    @Test
    void withChurningKeysTheTtlKeepsTheStateBounded(TestInfo info) throws Exception {
        var withTtl = harnessWithTtl(info, Duration.ofMillis(1000));
        var withoutTtl = harnessWithTtl(info, null);
        withTtl.setStateTtlProcessingTime(0);
        withTtl.open();
        withoutTtl.open();
        // Ten generations of 300 keys each, every generation idle for longer than the TTL.
        for (int generation = 0; generation < 10; generation++) {
            withTtl.setStateTtlProcessingTime(generation * 2000L);
            for (int k = 0; k < 300; k++) {
                var e = event("g" + generation + "-k" + k, generation * 300L + k, 1f);
                withTtl.processElement(e);
                withoutTtl.processElement(e);
            }
            assertThat(withTtl.numKeyedStateEntries())
                    .as("entries after generation %d", generation)
                    .isLessThanOrEqualTo(600);
        }
        assertThat(withoutTtl.numKeyedStateEntries()).isEqualTo(3000);
    }
}
