package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.predictor.BatchPredictors;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model rollout in the keyed harness against torch: the rollout set's two versions of one model
 * (B is A fine-tuned), its events up to the split under A and the rest under B, and what each
 * policy makes of the keys' states at the switch (expected-POLICY.csv, computed by torch). The
 * switch comes either from a savepoint restored under the new model, or from {@code
 * gru.model.watch} at a checkpoint barrier.
 */
class ModelRolloutTest {

    private static final TorchFixture SET = TorchFixture.load("rollout");

    private final List<KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>>
            harnesses = new ArrayList<>();

    @TempDir Path dir;

    @AfterEach
    void close() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            Path model, FingerprintMismatchPolicy policy, boolean watch) throws Exception {
        return harness(model, policy, watch, 1, false);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            Path model, FingerprintMismatchPolicy policy, boolean watch, int depth, boolean shared)
            throws Exception {
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, model.toString());
        config.set(GruOptions.MODEL_HIDDEN_SIZE, SET.hidden);
        config.set(GruOptions.BATCH_MAX_SIZE, 16);
        config.set(GruOptions.PIPELINE_DEPTH, depth);
        config.set(GruOptions.DEVICE_SHARED, shared);
        config.set(GruOptions.DEVICE_MAX_BATCH, 64);
        config.set(GruOptions.STATE_FINGERPRINT_MISMATCH, policy);
        config.set(GruOptions.STATE_HISTORY, SET.intProperty("history"));
        config.set(GruOptions.MODEL_WATCH, watch);
        // Only the test looks: GruOperator#lookForNewModel.
        config.set(GruOptions.MODEL_WATCH_INTERVAL, Duration.ofDays(1));
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        GruInference.fromConfiguration(config, SET.features)
                                .createOperatorFactory(),
                        GruEvent::getKey,
                        Types.STRING);
        harnesses.add(harness);
        return harness;
    }

    private static GruOperator operator(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        return (GruOperator) harness.getOperator();
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness,
            List<GruEvent> events)
            throws Exception {
        for (GruEvent event : events) {
            harness.processElement(new StreamRecord<>(event, event.timestamp));
        }
    }

    private static List<GruPrediction> predictions(
            KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness) {
        List<GruPrediction> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord
                    && ((StreamRecord<?>) o).getValue() instanceof GruPrediction) {
                out.add((GruPrediction) ((StreamRecord<?>) o).getValue());
            }
        }
        return out;
    }

    /**
     * Every event has one prediction, equal to torch's under {@code policy}, of the model named.
     */
    private static void assertRollout(
            List<GruPrediction> out,
            String policy,
            int split,
            long fingerprintA,
            long fingerprintB) {
        Map<Long, float[]> expected = SET.expected("expected-" + policy + ".csv");
        assertThat(out).hasSize(expected.size());
        Set<Long> seen = new HashSet<>();
        for (GruPrediction p : out) {
            assertThat(seen.add(p.eventId)).as("one prediction of seq %s", p.eventId).isTrue();
            assertThat(p.modelFingerprint)
                    .as("model of seq %s", p.eventId)
                    .isEqualTo(p.eventId < split ? fingerprintA : fingerprintB);
            SET.assertOutputs(policy + " seq " + p.eventId, p.output, expected.get(p.eventId), 1);
        }
    }

    /** Keys with events before the split that have events after it: the states the policy meets. */
    private static int keysAcrossTheSplit(List<GruEvent> events, int split) {
        Set<String> before = new HashSet<>();
        Set<String> across = new HashSet<>();
        for (GruEvent e : events) {
            if (e.eventId < split) {
                before.add(e.key);
            } else if (before.contains(e.key)) {
                across.add(e.key);
            }
        }
        return across.size();
    }

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({"RESET, pt", "KEEP, pt", "REWARM, pt", "KEEP, onnx", "REWARM, onnx"})
    void aSavepointOfTheOldModelRestoredUnderTheNewFollowsThePolicy(
            FingerprintMismatchPolicy policy, String format) throws Exception {
        rollOutThroughASavepoint(policy, format, 1, false);
    }

    /**
     * The same through the shared device batcher, where several batches of the subtask are in
     * flight at once: the rows the policy rebuilds run their history before their event.
     */
    @ParameterizedTest(name = "{0}, depth {1}")
    @CsvSource({
        "RESET, 1", "KEEP, 1", "REWARM, 1",
        "RESET, 2", "KEEP, 2", "REWARM, 2",
        "RESET, 3", "KEEP, 3", "REWARM, 3",
        "RESET, 4", "KEEP, 4", "REWARM, 4"
    })
    void withTheSharedDeviceBatcherEveryPolicyEqualsTorchAtEveryDepth(
            FingerprintMismatchPolicy policy, int depth) throws Exception {
        rollOutThroughASavepoint(policy, "pt", depth, true);
    }

    private void rollOutThroughASavepoint(
            FingerprintMismatchPolicy policy, String format, int depth, boolean shared)
            throws Exception {
        Path a = SET.dir.resolve("model-a." + format);
        Path b = SET.dir.resolve("model-b." + format);
        int split = SET.intProperty("split");
        List<GruEvent> events = SET.eventsAt(System.currentTimeMillis());

        var first = harness(a, FingerprintMismatchPolicy.FAIL, false, depth, shared);
        first.open();
        feed(first, events.subList(0, split));
        first.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState savepoint = first.snapshot(1, 1);
        List<GruPrediction> out = new ArrayList<>(predictions(first));

        var second = harness(b, policy, false, depth, shared);
        second.initializeState(savepoint);
        second.open();
        feed(second, events.subList(split, events.size()));
        second.prepareSnapshotPreBarrier(2);
        out.addAll(predictions(second));

        assertRollout(
                out,
                policy.name().toLowerCase(),
                split,
                ModelFingerprint.of(a),
                ModelFingerprint.of(b));
        var metrics = operator(second).metrics();
        int across = keysAcrossTheSplit(events, split);
        assertThat(across).isGreaterThan(20);
        long counted =
                switch (policy) {
                    case KEEP -> metrics.stateKept();
                    case REWARM -> metrics.stateRewarmed();
                    default -> metrics.stateResets();
                };
        assertThat(counted).isEqualTo(across);
        assertThat(metrics.stateKept() + metrics.stateRewarmed() + metrics.stateResets())
                .isEqualTo(across);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"RESET", "KEEP", "REWARM"})
    void aNewFileTakesEffectAtTheNextBarrierAndABrokenOneIsRefused(FingerprintMismatchPolicy policy)
            throws Exception {
        Path served = dir.resolve("model.pt");
        Files.copy(SET.dir.resolve("model-a.pt"), served);
        int split = SET.intProperty("split");
        List<GruEvent> events = SET.eventsAt(System.currentTimeMillis());

        var harness = harness(served, policy, true);
        harness.open();
        GruOperator operator = operator(harness);
        feed(harness, events.subList(0, split / 2));

        // A model of another H, written next to the served file and renamed over it.
        replace(served, SET.dir.resolve("model-h8.pt"));
        operator.lookForNewModel(); // sees the new file
        operator.lookForNewModel(); // unchanged since: loads it, which fails
        assertThat(operator.metrics().modelsRefused()).isEqualTo(1);
        operator.lookForNewModel(); // not tried again while it is unchanged
        assertThat(operator.metrics().modelsRefused()).isEqualTo(1);
        harness.prepareSnapshotPreBarrier(1);
        harness.snapshot(1, 1);
        feed(harness, events.subList(split / 2, split));

        replace(served, SET.dir.resolve("model-b.pt"));
        operator.lookForNewModel();
        operator.lookForNewModel();
        assertThat(operator.metrics().modelsRefused()).isEqualTo(1);
        assertThat(operator.servedFingerprint())
                .as("the new model waits for a barrier")
                .isEqualTo(ModelFingerprint.of(SET.dir.resolve("model-a.pt")));
        harness.prepareSnapshotPreBarrier(2);
        harness.snapshot(2, 2);
        assertThat(operator.servedFingerprint()).isEqualTo(ModelFingerprint.of(served));
        feed(harness, events.subList(split, events.size()));
        harness.prepareSnapshotPreBarrier(3);

        assertRollout(
                predictions(harness),
                policy.name().toLowerCase(),
                split,
                ModelFingerprint.of(SET.dir.resolve("model-a.pt")),
                ModelFingerprint.of(SET.dir.resolve("model-b.pt")));
        assertThat(operator.metrics().modelSwaps()).isEqualTo(1);
    }

    @Test
    void aNewVersionDirectoryIsServedAndARestartServesTheNewestVersion() throws Exception {
        Path versions = dir.resolve("versions");
        Files.createDirectories(versions.resolve("1"));
        Files.copy(SET.dir.resolve("model-a.pt"), versions.resolve("1").resolve("model.pt"));
        int split = SET.intProperty("split");
        List<GruEvent> events = SET.eventsAt(System.currentTimeMillis());

        var harness = harness(versions, FingerprintMismatchPolicy.REWARM, true);
        harness.open();
        GruOperator operator = operator(harness);
        feed(harness, events.subList(0, split));

        // Version 2, written under a temporary name and renamed to its number when complete.
        Path writing = versions.resolve(".2.incoming");
        Files.createDirectories(writing);
        Files.copy(SET.dir.resolve("model-b.pt"), writing.resolve("gru-v2.pt"));
        operator.lookForNewModel();
        assertThat(operator.metrics().modelsRefused()).isZero();
        Files.move(writing, versions.resolve("2"), StandardCopyOption.ATOMIC_MOVE);
        operator.lookForNewModel();
        operator.lookForNewModel();
        harness.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState checkpoint = harness.snapshot(1, 1);
        feed(harness, events.subList(split, events.size()));
        harness.prepareSnapshotPreBarrier(2);
        List<GruPrediction> live = predictions(harness);
        assertRollout(
                live,
                "rewarm",
                split,
                ModelFingerprint.of(SET.dir.resolve("model-a.pt")),
                ModelFingerprint.of(SET.dir.resolve("model-b.pt")));

        // After a failure, the job restarts from the checkpoint of the swap with version 2.
        var restarted = harness(versions, FingerprintMismatchPolicy.REWARM, true);
        restarted.initializeState(checkpoint);
        restarted.open();
        feed(restarted, events.subList(split, events.size()));
        restarted.prepareSnapshotPreBarrier(2);
        Map<Long, float[]> first = new HashMap<>();
        for (GruPrediction p : live) {
            first.put(p.eventId, p.output);
        }
        List<GruPrediction> again = predictions(restarted);
        assertThat(again).hasSize(events.size() - split);
        for (GruPrediction p : again) {
            assertThat(p.output).as("seq %s again", p.eventId).isEqualTo(first.get(p.eventId));
        }
    }

    private static void replace(Path served, Path with) throws Exception {
        Path next = served.resolveSibling(served.getFileName() + ".next");
        Files.copy(with, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, served, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void rewarmWithoutHistoryIsRefusedWhenTheJobIsBuilt() {
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, SET.dir.resolve("model-a.pt").toString());
        config.set(GruOptions.MODEL_HIDDEN_SIZE, SET.hidden);
        config.set(GruOptions.STATE_FINGERPRINT_MISMATCH, FingerprintMismatchPolicy.REWARM);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> GruInference.fromConfiguration(config, SET.features))
                .hasMessageContaining(GruOptions.STATE_HISTORY.key());
        config.set(GruOptions.STATE_FINGERPRINT_MISMATCH, FingerprintMismatchPolicy.FAIL);
        config.set(GruOptions.MODEL_WATCH, true);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> GruInference.fromConfiguration(config, SET.features))
                .hasMessageContaining("FAIL");
        assertThat(BatchPredictors.fromConfiguration(config).modelPath())
                .isEqualTo(SET.dir.resolve("model-a.pt").toString());
    }
}
