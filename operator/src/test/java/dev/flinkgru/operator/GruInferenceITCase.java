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
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator in a real Flink MiniCluster at parallelism 2, running the real TorchScript model:
 * every output equals {@code nn.GRU} over the key's whole sequence, whatever the batch size.
 */
class GruInferenceITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @ParameterizedTest(name = "batch size {0}")
    @ValueSource(ints = {1, 7, 256})
    void everyOutputEqualsTorchOverTheWholeSequence(int batchSize) throws Exception {
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
}
