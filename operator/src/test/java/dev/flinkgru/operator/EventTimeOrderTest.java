package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.operator.testing.EventTimes;
import dev.flinkgru.operator.testing.StateBackends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gru.order} EVENT_TIME in Flink's keyed operator test harness, with the deterministic fake
 * model (y = running sum of x, step count): a key's outputs are its prefix sums in the order its
 * events were stepped, so any other order than the timestamps' shows.
 */
class EventTimeOrderTest {

    private static final int MAX_PARALLELISM = 128;
    private static final long NOW = 1_796_000_000_000L; // 2026-11-30

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
            TestInfo info, LateEventPolicy late, int depth, int parallelism, int subtask)
            throws Exception {
        return harness(info, late, depth, parallelism, subtask, "heap");
    }

    /** A harness on {@code backend}: heap, or rocksdb with the operator's RocksDB defaults. */
    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            TestInfo info,
            LateEventPolicy late,
            int depth,
            int parallelism,
            int subtask,
            String backend)
            throws Exception {
        name = info.getDisplayName() + "#" + harnesses.size();
        GruOperatorFactory operator =
                GruInference.builder()
                        .setPredictor(new CountingPredictorFactory(name, 0xAAAAL))
                        .setInputSize(1)
                        .optMaxBatchSize(8)
                        .optMaxDelay(Duration.ofHours(1))
                        .optPipelineDepth(depth)
                        .optOrder(EventOrder.EVENT_TIME)
                        .optLatePolicy(late)
                        .build()
                        .createOperatorFactory();
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        operator,
                        GruEvent::getKey,
                        Types.STRING,
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        harnesses.add(StateBackends.on(backend, harness));
        return harness;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            TestInfo info, LateEventPolicy late) throws Exception {
        return harness(info, late, 1, 1, 0);
    }

    /** Keys of every shape; every third backfills years back (EventTimes). */
    private static final String[] KEYS = {
        "sensor-0001", "", "ключ/датчик", "a b\tc", "42", "user:7f3e", "🌡️-roof", "x".repeat(300)
    };

    /**
     * Events of {@link #KEYS}, each key's at rising (sometimes equal) times, arriving displaced by
     * up to {@code jitter} ms, as if read from several partitions; x are small integers, so the
     * fake model's sums are exact.
     */
    private static List<GruEvent> arrivals(int perKey, long jitter, long seed) {
        Random random = new Random(seed);
        List<GruEvent> events = new ArrayList<>();
        Map<GruEvent, Long> arrival = new HashMap<>();
        long id = 0;
        for (String key : KEYS) {
            long ts = EventTimes.of(key, 0, perKey, NOW) - perKey * 1_000L;
            for (int i = 0; i < perKey; i++) {
                ts += random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(2_000); // equal times too
                GruEvent e = new GruEvent(key, ts, id++, new float[] {1 + random.nextInt(9)});
                events.add(e);
                arrival.put(e, ts + (long) random.nextInt((int) jitter));
            }
        }
        events.sort(Comparator.comparingLong(arrival::get));
        return events;
    }

    /**
     * What torch's GRU over each key's events in time order means for the fake model: each event's
     * (running sum, step) over its key's events sorted by timestamp, ties in arrival order.
     */
    private static Map<Long, float[]> expected(List<GruEvent> arrivals) {
        Map<String, List<GruEvent>> byKey = new LinkedHashMap<>();
        for (GruEvent e : arrivals) {
            byKey.computeIfAbsent(e.key, k -> new ArrayList<>()).add(e);
        }
        Map<Long, float[]> expected = new HashMap<>();
        for (List<GruEvent> events : byKey.values()) {
            events.sort(Comparator.comparingLong(e -> e.timestamp)); // stable: arrival for ties
            float sum = 0;
            int step = 0;
            for (GruEvent e : events) {
                sum += e.features[0];
                step++;
                expected.put(e.eventId, new float[] {sum, step});
            }
        }
        return expected;
    }

    private static Map<Long, float[]> outputs(List<GruPrediction> predictions) {
        Map<Long, float[]> map = new HashMap<>();
        for (GruPrediction p : predictions) {
            assertThat(map.put(p.eventId, p.output))
                    .as("duplicate output for %s", p.eventId)
                    .isNull();
        }
        return map;
    }

    /** Feeds {@code events}, each followed by the watermark the bounded-out-of-orderness gives. */
    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness,
            List<GruEvent> events,
            long bound)
            throws Exception {
        long max = Long.MIN_VALUE;
        for (GruEvent e : events) {
            harness.processElement(new StreamRecord<>(e, e.timestamp));
            max = Math.max(max, e.timestamp);
            harness.processWatermark(new Watermark(max - bound - 1));
        }
    }

    @ParameterizedTest(name = "depth {0}")
    @ValueSource(ints = {1, 3})
    void eachKeysEventsAreSteppedInTimestampOrder(int depth, TestInfo info) throws Exception {
        List<GruEvent> events = arrivals(60, 5_000, depth);
        var harness = harness(info, LateEventPolicy.REJECT, depth, 1, 0);
        harness.open();

        feed(harness, events, 5_000);
        // The bound held every event not yet passed by the watermark; nothing was late.
        assertThat(operator(harness).metrics().lateEvents()).isZero();
        assertThat(harness.extractOutputValues().size()).isLessThan(events.size());
        harness.processWatermark(new Watermark(Long.MAX_VALUE)); // the end of a bounded input

        assertThat(harness.getSideOutput(GruInference.REJECTED)).isNullOrEmpty();
        Map<Long, float[]> actual = outputs(harness.extractOutputValues());
        Map<Long, float[]> expected = expected(events);
        assertThat(actual).hasSameSizeAs(expected);
        for (var e : expected.entrySet()) {
            assertThat(actual.get(e.getKey())).as("event %s", e.getKey()).isEqualTo(e.getValue());
        }
        // Arrival order gives other sums: the test would see a wrong order.
        assertThat(expected).isNotEqualTo(expectedInArrivalOrder(events));
        assertPredictionsPrecedeTheirWatermark(harness.getOutput());
    }

    private static Map<Long, List<Float>> expectedInArrivalOrder(List<GruEvent> events) {
        Map<String, Float> sums = new HashMap<>();
        Map<Long, List<Float>> out = new HashMap<>();
        for (GruEvent e : events) {
            float sum = sums.merge(e.key, e.features[0], Float::sum);
            out.put(e.eventId, List.of(sum));
        }
        return out;
    }

    /** No prediction leaves after a watermark that passed its timestamp. */
    private static void assertPredictionsPrecedeTheirWatermark(Iterable<Object> output) {
        long watermark = Long.MIN_VALUE;
        int predictions = 0;
        for (Object o : output) {
            if (o instanceof Watermark) {
                watermark = ((Watermark) o).getTimestamp();
            } else if (o instanceof StreamRecord
                    && ((StreamRecord<?>) o).getValue() instanceof GruPrediction) {
                GruPrediction p = (GruPrediction) ((StreamRecord<?>) o).getValue();
                assertThat(p.timestamp).as("prediction %s", p.eventId).isGreaterThan(watermark);
                predictions++;
            }
        }
        assertThat(predictions).isPositive();
    }

    @Test
    void eventsWaitForTheWatermarkThenLeaveInTimestampOrder(TestInfo info) throws Exception {
        var harness = harness(info, LateEventPolicy.REJECT);
        harness.open();
        harness.processElement(event("a", 30, 3f, 0));
        harness.processElement(event("a", 10, 1f, 1));
        harness.processElement(event("a", 20, 2f, 2));
        harness.processElement(event("a", 20, 5f, 3)); // same time: after id 2

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(operator(harness).bufferedEvents()).isZero(); // waiting in state, not buffered

        harness.processWatermark(new Watermark(20));
        assertThat(sums(harness)).containsExactly(1f, 3f, 8f);
        harness.processElement(event("a", 21, 0f, 4)); // after the watermark: waits
        harness.processWatermark(new Watermark(29));
        assertThat(sums(harness)).containsExactly(1f, 3f, 8f, 8f);
        harness.processWatermark(new Watermark(30));
        assertThat(sums(harness)).containsExactly(1f, 3f, 8f, 8f, 11f);
        assertThat(ids(harness)).containsExactly(1L, 2L, 3L, 4L, 0L);
        assertThat(operator(harness).metrics().eventsHeld()).isEqualTo(5);
        assertThat(operator(harness).metrics().eventsReleased()).isEqualTo(5);
    }

    @Test
    void lateEventsAreRejectedWithHowLateTheyAre(TestInfo info) throws Exception {
        var harness = harness(info, LateEventPolicy.REJECT);
        harness.open();
        long t = NOW - EventTimes.BACKFILL.toMillis();
        harness.processElement(event("a", t, 1f, 0));
        harness.processWatermark(new Watermark(t + 5_000));
        harness.processElement(event("a", t + 1_000, 2f, 1)); // 4 s behind the watermark
        harness.processElement(event("a", t + 5_000, 4f, 2)); // at the watermark: late too
        harness.processElement(event("a", t + 5_001, 8f, 3));
        harness.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(sums(harness)).containsExactly(1f, 9f);
        List<RejectedEvent> rejected = rejected(harness);
        assertThat(rejected).extracting(r -> r.event.eventId).containsExactly(1L, 2L);
        assertThat(rejected.get(0).reason)
                .startsWith("late: ")
                .contains("4000 ms behind the watermark");
        assertThat(rejected.get(1).reason).startsWith("late: ").contains("at the watermark");
        assertThat(operator(harness).metrics().lateEvents()).isEqualTo(2);
    }

    @Test
    void eventsBehindTheKeysLastSteppedEventAreLateAfterARestore(TestInfo info) throws Exception {
        var before = harness(info, LateEventPolicy.REJECT);
        before.open();
        before.processElement(event("a", 20_000, 1f, 0));
        before.processWatermark(new Watermark(20_000));
        assertThat(sums(before)).containsExactly(1f);
        before.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = before.snapshot(1, 1);

        // A restored operator starts without a watermark: the event is not behind it, but behind
        // the key's last stepped event.
        var after = harness(info, LateEventPolicy.REJECT);
        after.initializeState(snapshot);
        after.open();
        after.processElement(event("a", 15_000, 2f, 1));
        after.processElement(event("a", 25_000, 4f, 2));
        after.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(sums(after)).containsExactly(5f);
        assertThat(rejected(after))
                .singleElement()
                .satisfies(
                        r ->
                                assertThat(r.reason)
                                        .contains("5000 ms behind the key's last stepped event"));
    }

    @Test
    void underStepLateEventsAreSteppedOnArrivalAndCounted(TestInfo info) throws Exception {
        var harness = harness(info, LateEventPolicy.STEP);
        harness.open();
        harness.processElement(event("a", 10_000, 1f, 0));
        harness.processElement(event("a", 12_000, 8f, 3)); // waits
        harness.processWatermark(new Watermark(10_001));
        harness.processElement(event("a", 9_000, 2f, 1)); // late: into the buffer at once
        harness.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(sums(harness)).containsExactly(1f, 3f, 11f);
        assertThat(rejected(harness)).isEmpty();
        assertThat(operator(harness).metrics().lateEvents()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void waitingEventsSurviveASnapshotAndARescaleAndLeaveInOrder(String backend, TestInfo info)
            throws Exception {
        List<GruEvent> events = arrivals(40, 8_000, 7);
        Map<Long, float[]> expected = expected(events);
        int half = events.size() / 2;

        var first = harness(info, LateEventPolicy.REJECT, 2, 1, 0, backend);
        first.open();
        feed(first, events.subList(0, half), 8_000);
        first.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        Map<Long, float[]> actual = outputs(first.extractOutputValues());
        int waitingAtSnapshot = half - actual.size();
        assertThat(waitingAtSnapshot).isPositive();
        assertThat(operator(first).bufferedEvents()).isZero();

        // Restored at parallelism 2: each subtask gets its key groups' waiting events and timers.
        long watermark = Long.MIN_VALUE;
        for (GruEvent e : events.subList(0, half)) {
            watermark = Math.max(watermark, e.timestamp - 8_001);
        }
        List<KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>> subtasks =
                new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var subtask = harness(info, LateEventPolicy.REJECT, 2, 2, i, backend);
            subtask.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, i));
            subtask.open();
            subtask.processWatermark(new Watermark(watermark));
            subtasks.add(subtask);
        }
        // The rest of the stream goes to the subtask that owns each key.
        for (GruEvent e : events.subList(half, events.size())) {
            subtasks.get(owns(0, e.key) ? 0 : 1).processElement(new StreamRecord<>(e, e.timestamp));
        }
        for (var subtask : subtasks) {
            subtask.processWatermark(new Watermark(Long.MAX_VALUE));
            actual.putAll(outputs(subtask.extractOutputValues()));
            assertThat(rejected(subtask)).isEmpty();
        }

        assertThat(actual).hasSameSizeAs(expected);
        for (var e : expected.entrySet()) {
            assertThat(actual.get(e.getKey())).as("event %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    /** Whether subtask {@code index} of 2 owns {@code key}'s key group. */
    private static boolean owns(int index, String key) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX_PARALLELISM, 2)
                == index;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void waitingEventsExpireWithTheKeysTtl(String backend, TestInfo info) throws Exception {
        name = info.getDisplayName();
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        GruInference.builder()
                                .setPredictor(new CountingPredictorFactory(name, 0xAAAAL))
                                .setInputSize(1)
                                .optMaxBatchSize(1)
                                .optPipelineDepth(1)
                                .optOrder(EventOrder.EVENT_TIME)
                                .optStateTtl(Duration.ofMillis(100))
                                .build()
                                .createOperatorFactory(),
                        GruEvent::getKey,
                        Types.STRING);
        harnesses.add(StateBackends.on(backend, harness));
        harness.setStateTtlProcessingTime(0);
        harness.open();
        harness.processElement(event("a", 1_000, 1f, 0));
        harness.setStateTtlProcessingTime(50);
        harness.processElement(event("b", 1_000, 2f, 1));
        harness.processElement(event("b", 2_000, 4f, 2));
        harness.setStateTtlProcessingTime(120); // a's event waited 120 ms, b's 70 ms
        harness.processWatermark(new Watermark(Long.MAX_VALUE));

        assertThat(ids(harness)).containsExactly(1L, 2L);
    }

    private static StreamRecord<GruEvent> event(String key, long ts, float x, long id) {
        return new StreamRecord<>(new GruEvent(key, ts, id, new float[] {x}), ts);
    }

    private static GruOperator operator(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        return (GruOperator) harness.getOperator();
    }

    private static List<Float> sums(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        List<Float> sums = new ArrayList<>();
        for (GruPrediction p : harness.extractOutputValues()) {
            sums.add(p.output[0]);
        }
        return sums;
    }

    private static List<Long> ids(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        List<Long> ids = new ArrayList<>();
        for (GruPrediction p : harness.extractOutputValues()) {
            ids.add(p.eventId);
        }
        return ids;
    }

    private static List<RejectedEvent> rejected(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        List<RejectedEvent> rejected = new ArrayList<>();
        var records = harness.getSideOutput(GruInference.REJECTED);
        if (records != null) {
            for (StreamRecord<RejectedEvent> r : records) {
                rejected.add(r.getValue());
            }
        }
        return rejected;
    }
}
