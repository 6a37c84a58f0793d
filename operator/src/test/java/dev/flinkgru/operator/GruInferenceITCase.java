package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator in a real Flink MiniCluster at parallelism 2, running real models: every output
 * equals torch over the key's whole sequence, whatever the batch size, the model's architecture or
 * its format (TorchScript or ONNX).
 */
class GruInferenceITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /**
     * The tiny model at three batch sizes, each synchronously (pipeline depth 1), pipelined (depth
     * 2, the predictor on its own thread) and through the TaskManager's shared device batcher
     * (depth 3, both subtasks' batches joined into calls of up to 512 rows).
     */
    @ParameterizedTest(name = "batch size {0}, pipeline depth {1}, shared device {2}")
    @CsvSource({
        "1, 1, false",
        "7, 1, false",
        "256, 1, false",
        "1, 2, false",
        "7, 2, false",
        "256, 2, false",
        "1, 3, true",
        "7, 3, true",
        "256, 3, true"
    })
    void everyOutputEqualsTorchOverTheWholeSequence(int batchSize, int depth, boolean shared)
            throws Exception {
        TorchFixture f = TorchFixture.load("tiny");
        List<GruEvent> events = f.events();
        assertThat(events.stream().map(e -> e.key).distinct().count()).isGreaterThanOrEqualTo(50);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        var predictions =
                GruInference.builder()
                        .setPredictor(
                                new TorchScriptPredictorFactory(
                                        f.model().toString(), f.hidden, f.layers))
                        .setInputSize(f.features)
                        .optMaxBatchSize(batchSize)
                        .optMaxDelay(Duration.ofMillis(5))
                        .optPipelineDepth(depth)
                        .optDeviceShared(shared)
                        .optDeviceMaxBatch(512)
                        .build()
                        .apply(env.fromData(events).keyBy(GruEvent::getKey));

        List<GruPrediction> out = new ArrayList<>();
        try (CloseableIterator<GruPrediction> it = predictions.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }

        Map<Long, float[]> expected = f.expected();
        assertThat(out).hasSize(events.size());
        Map<String, Long> lastStep = new HashMap<>();
        for (GruPrediction p : out) {
            Tolerance.assertClose("seq " + p.eventId, p.output, expected.get(p.eventId), f.outputs);
            // Per-key order: each key's outputs arrive with steps 1, 2, 3, ...
            long previous = lastStep.getOrDefault(p.key, 0L);
            assertThat(p.steps).as("steps of %s", p.key).isEqualTo(previous + 1);
            lastStep.put(p.key, p.steps);
        }
        assertThat(out.stream().map(p -> p.eventId).distinct().count()).isEqualTo(events.size());
    }

    /**
     * Models that keep the contract whatever their architecture, TorchScript or ONNX, configured
     * through {@link GruOptions} (backend {@code auto}: the format comes from the file): a
     * projection front end, a two-layer GRU with several outputs, an embedding named {@code emb}
     * with in-model top-K (ids exactly), and the plain tiny model as ONNX. Every output equals
     * torch over the key's whole sequence.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "projection, model.pt",
        "projection, model.onnx",
        "tiny, model.onnx",
        "two-layer, model.onnx",
        "recommender-emb, model.onnx"
    })
    void anyModelThatKeepsTheContractEqualsTorch(String set, String file) throws Exception {
        TorchFixture f = TorchFixture.load(set);
        List<GruEvent> events = f.events();
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, f.dir.resolve(file).toString());
        config.set(GruOptions.MODEL_HIDDEN_SIZE, f.hidden);
        config.set(GruOptions.MODEL_LAYERS, f.layers);
        config.set(GruOptions.BATCH_MAX_SIZE, 16);
        config.set(GruOptions.BATCH_MAX_DELAY, Duration.ofMillis(5));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        var predictions =
                GruInference.fromConfiguration(config, f.features)
                        .apply(env.fromData(events).keyBy(GruEvent::getKey));
        List<GruPrediction> out = new ArrayList<>();
        try (CloseableIterator<GruPrediction> it = predictions.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }

        Map<Long, float[]> expected = f.expected();
        assertThat(out).hasSize(events.size());
        for (GruPrediction p : out) {
            f.assertOutputs(
                    set + " seq " + p.eventId + " key " + p.key,
                    p.output,
                    expected.get(p.eventId),
                    1);
        }
        assertThat(out.stream().map(p -> p.eventId).distinct().count()).isEqualTo(events.size());
    }
}
