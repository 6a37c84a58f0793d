package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.internal.GruOperatorMetrics;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import dev.flinkgru.operator.testing.GaugeWatcher;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model swapped while a job runs ({@code gru.model.watch}) in a MiniCluster with checkpoints
 * every 50 ms and two operator subtasks: the rollout set's events, at most 20 per checkpoint. At
 * event 120 a broken file (a model of another H) is renamed over the served one: both subtasks
 * refuse it and go on with model A. At the split, model B is: once both subtasks have loaded it,
 * the events go on and B takes effect at the next barrier. Every event has one prediction; each key
 * switches from A to B once; its outputs equal A stepped one event at a time before the switch and
 * B after it, from the state the policy makes; every event 40 or more after the split is B's.
 */
class ModelSwapITCase {

    private static final TorchFixture SET = TorchFixture.load("rollout");
    private static final int BROKEN_AT = 120;
    private static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .setConfiguration(reporting())
                            .build());

    private static Configuration reporting() {
        Configuration config = new Configuration();
        config.setString(
                "metrics.reporter.watch.factory.class", GaugeWatcher.Factory.class.getName());
        return config;
    }

    /** The served model file of the running test (the source replaces it; same JVM). */
    private static volatile Path served;

    @TempDir Path dir;

    /**
     * Event i of the set; at {@link #BROKEN_AT} and at the split it first replaces the model file
     * and waits until every subtask has dealt with the new one.
     */
    static final class Events implements GeneratorFunction<Long, GruEvent> {
        private static final long serialVersionUID = 1L;
        private transient List<GruEvent> events;

        @Override
        public GruEvent map(Long i) throws Exception {
            if (events == null) {
                events = SET.eventsAt(System.currentTimeMillis());
            }
            if (i == BROKEN_AT) {
                replace(served, SET.dir.resolve("model-h8.pt"));
                await(
                        "both subtasks refuse the broken file",
                        () -> GaugeWatcher.sum(GruOperatorMetrics.MODELS_REFUSED) == PARALLELISM);
            } else if (i == SET.intProperty("split")) {
                replace(served, SET.dir.resolve("model-b.pt"));
                String b = ModelFingerprint.toHex(ModelFingerprint.of(served));
                await("both subtasks load model B", () -> subtasksWith(b) == PARALLELISM);
            }
            return events.get(i.intValue());
        }
    }

    /**
     * The subtasks that serve model {@code hex} or hold it as the candidate. The served
     * fingerprints are read first: a subtask that swaps in between is then missed once, never
     * counted twice.
     */
    private static long subtasksWith(String hex) {
        long serving =
                GaugeWatcher.strings(GruOperatorMetrics.MODEL_FINGERPRINT).stream()
                        .filter(hex::equals)
                        .count();
        long waiting =
                GaugeWatcher.strings(GruOperatorMetrics.MODEL_CANDIDATE).stream()
                        .filter(hex::equals)
                        .count();
        return serving + waiting;
    }

    /**
     * Waits for a condition the model watcher's thread brings about (polling, one minute at most).
     */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private static void replace(Path target, Path with) throws Exception {
        Path next = target.resolveSibling(target.getFileName() + ".next");
        Files.copy(with, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * At the default depth on each subtask's own predictor, and through the shared device batcher
     * at depths 1 to 4 (where several batches of each subtask wait at the batcher at once).
     */
    @ParameterizedTest(name = "{0}, depth {1}, shared device {2}")
    @CsvSource({
        "RESET, 2, false",
        "KEEP, 2, false",
        "REWARM, 2, false",
        "REWARM, 1, true",
        "REWARM, 2, true",
        "REWARM, 3, true",
        "REWARM, 4, true",
        "KEEP, 3, true",
        "RESET, 4, true"
    })
    void outputsSwitchFromModelAToModelBAtOneBarrierExactlyOnce(
            FingerprintMismatchPolicy policy, int depth, boolean shared) throws Exception {
        GaugeWatcher.clear();
        served = dir.resolve("model.pt");
        Files.copy(SET.dir.resolve("model-a.pt"), served);
        List<GruEvent> events = SET.events();
        int split = SET.intProperty("split");
        int history = SET.intProperty("history");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(50);
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, served.toString());
        config.set(GruOptions.MODEL_HIDDEN_SIZE, SET.hidden);
        config.set(GruOptions.BATCH_MAX_SIZE, 8);
        config.set(GruOptions.BATCH_MAX_DELAY, Duration.ofMillis(5));
        config.set(GruOptions.STATE_FINGERPRINT_MISMATCH, policy);
        config.set(GruOptions.STATE_HISTORY, history);
        config.set(GruOptions.MODEL_WATCH, true);
        config.set(GruOptions.MODEL_WATCH_INTERVAL, Duration.ofMillis(20));
        config.set(GruOptions.PIPELINE_DEPTH, depth);
        config.set(GruOptions.DEVICE_SHARED, shared);
        DataGeneratorSource<GruEvent> source =
                new DataGeneratorSource<>(
                        new Events(),
                        events.size(),
                        RateLimiterStrategy.perCheckpoint(20),
                        TypeInformation.of(GruEvent.class));
        var predictions =
                GruInference.fromConfiguration(config, SET.features)
                        .apply(
                                env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                                        .setParallelism(1)
                                        .keyBy(GruEvent::getKey));
        List<GruPrediction> out = new ArrayList<>();
        try (CloseableIterator<GruPrediction> it = predictions.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }

        long a = ModelFingerprint.of(SET.dir.resolve("model-a.pt"));
        long b = ModelFingerprint.of(SET.dir.resolve("model-b.pt"));
        assertThat(out).hasSize(events.size());
        assertThat(out.stream().map(p -> p.eventId).distinct().count()).isEqualTo(events.size());
        Map<String, List<GruPrediction>> byKey = new LinkedHashMap<>();
        for (GruPrediction p : out) {
            byKey.computeIfAbsent(p.key, k -> new ArrayList<>()).add(p);
            assertThat(p.modelFingerprint).as("model of seq %s", p.eventId).isIn(a, b);
            if (p.eventId < BROKEN_AT + 1) {
                assertThat(p.modelFingerprint).as("seq %s", p.eventId).isEqualTo(a);
            }
            if (p.eventId >= split + 40) {
                assertThat(p.modelFingerprint).as("seq %s", p.eventId).isEqualTo(b);
            }
        }
        Map<Long, GruEvent> eventById = new LinkedHashMap<>();
        for (GruEvent e : events) {
            eventById.put(e.eventId, e);
        }
        try (Oracle oracle = new Oracle()) {
            for (var entry : byKey.entrySet()) {
                List<GruPrediction> predicted = entry.getValue();
                predicted.sort((x, y) -> Long.compare(x.eventId, y.eventId));
                int switchAt = 0;
                while (switchAt < predicted.size()
                        && predicted.get(switchAt).modelFingerprint == a) {
                    switchAt++;
                }
                List<GruEvent> keyEvents = new ArrayList<>();
                for (int i = 0; i < predicted.size(); i++) {
                    assertThat(predicted.get(i).modelFingerprint)
                            .as("%s switches once, at its event %s", entry.getKey(), switchAt)
                            .isEqualTo(i < switchAt ? a : b);
                    keyEvents.add(eventById.get(predicted.get(i).eventId));
                }
                float[][] expected = oracle.outputs(keyEvents, switchAt, policy, history);
                for (int i = 0; i < predicted.size(); i++) {
                    Tolerance.assertClose(
                            entry.getKey() + " event " + i + " (switch at " + switchAt + ")",
                            predicted.get(i).output,
                            expected[i],
                            SET.outputs);
                }
            }
        }
    }

    /** Models A and B stepped one event at a time, from the state a policy makes at the switch. */
    private static final class Oracle implements AutoCloseable {
        private final BatchPredictor a = open("model-a.pt");
        private final BatchPredictor b = open("model-b.pt");

        private static BatchPredictor open(String file) {
            try {
                return new TorchScriptPredictorFactory(
                                SET.dir.resolve(file).toString(), SET.hidden, SET.layers)
                        .open(SET.features, 1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        float[][] outputs(
                List<GruEvent> events, int switchAt, FingerprintMismatchPolicy policy, int history)
                throws Exception {
            float[][] y = new float[events.size()][];
            float[] h = new float[SET.stateSize()];
            for (int i = 0; i < switchAt; i++) {
                y[i] = new float[SET.outputs];
                h = step(a, events.get(i).features, h, y[i]);
            }
            if (switchAt > 0 && policy == FingerprintMismatchPolicy.RESET) {
                h = new float[SET.stateSize()];
            } else if (switchAt > 0 && policy == FingerprintMismatchPolicy.REWARM) {
                h = new float[SET.stateSize()];
                for (int i = Math.max(0, switchAt - history); i < switchAt; i++) {
                    h = step(b, events.get(i).features, h, new float[SET.outputs]);
                }
            }
            for (int i = switchAt; i < events.size(); i++) {
                y[i] = new float[SET.outputs];
                h = step(b, events.get(i).features, h, y[i]);
            }
            return y;
        }

        private static float[] step(BatchPredictor model, float[] x, float[] h, float[] y)
                throws Exception {
            float[] next = new float[h.length];
            model.step(1, x, h, y, next);
            return next;
        }

        @Override
        public void close() throws Exception {
            a.close();
            b.close();
        }
    }
}
