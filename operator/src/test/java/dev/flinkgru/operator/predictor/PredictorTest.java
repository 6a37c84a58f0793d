package dev.flinkgru.operator.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every predictor against the outputs of real torch, on the committed fixtures: the TorchScript and
 * the ONNX engine on every set (plain GRUs, a projection front end, an embedding named {@code emb}
 * with in-model top-K, two layers with several outputs), the reference GRU on its own architecture.
 */
class PredictorTest {

    /** Every fixture set with a model.pt and a model.onnx. */
    static final List<String> SETS =
            List.of(
                    "tiny",
                    "small",
                    "h64",
                    "recommendation",
                    "projection",
                    "recommender-emb",
                    "two-layer",
                    "recommender-strict");

    /** The engines a model file can run on. */
    enum Engine {
        TORCHSCRIPT,
        ONNX;

        BatchPredictor open(TorchFixture f, int maxBatch) throws Exception {
            BatchPredictorFactory factory =
                    this == TORCHSCRIPT
                            ? new TorchScriptPredictorFactory(
                                    f.model().toString(), f.hidden, f.layers)
                            : new OnnxPredictorFactory(
                                    f.onnxModel().toString(), f.hidden, f.layers);
            return factory.open(f.features, maxBatch);
        }
    }

    static Stream<Arguments> setsAndEngines() {
        return SETS.stream().flatMap(s -> Stream.of(Engine.values()).map(e -> Arguments.of(s, e)));
    }

    private static BatchPredictor reference(TorchFixture f) throws Exception {
        return new ReferenceGruPredictorFactory(f.model().toString(), f.hidden, f.layers)
                .open(f.features, 256);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("setsAndEngines")
    void stepMatchesTorch(String name, Engine engine) throws Exception {
        TorchFixture f = TorchFixture.load(name);
        try (BatchPredictor p = engine.open(f, 16)) {
            assertThat(p.shape().outputSize()).isEqualTo(f.outputs);
            assertStep(p, f.step(), f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "small", "h64"})
    void referenceStepMatchesTorch(String name) throws Exception {
        TorchFixture f = TorchFixture.load(name);
        try (BatchPredictor p = reference(f)) {
            assertStep(p, f.step(), f);
        }
    }

    private static void assertStep(BatchPredictor p, TorchFixture.StepCase c, TorchFixture f)
            throws Exception {
        float[] y = new float[c.y.length];
        float[] hNext = new float[c.hNext.length];
        p.step(c.batch, c.x, c.h, y, hNext);
        f.assertOutputs("y", y, c.y, c.batch);
        Tolerance.assertClose("h'", hNext, c.hNext, c.hNext.length);
    }

    /**
     * Streams every key one event at a time, with all pending keys batched per round, and compares
     * with torch over the whole sequences: the predictor alone, without Flink.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("setsAndEngines")
    void roundsOfBatchedStepsMatchWholeSequences(String name, Engine engine) throws Exception {
        TorchFixture f = TorchFixture.load(name);
        try (BatchPredictor p = engine.open(f, 64)) {
            assertMatchesWholeSequences(p, f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "h64"})
    void referenceRoundsMatchWholeSequences(String name) throws Exception {
        TorchFixture f = TorchFixture.load(name);
        try (BatchPredictor p = reference(f)) {
            assertMatchesWholeSequences(p, f);
        }
    }

    private static void assertMatchesWholeSequences(BatchPredictor p, TorchFixture f)
            throws Exception {
        Map<Long, float[]> expected = f.expected();
        Map<Long, float[]> actual = streamInRounds(p, f, f.events(), 64);
        assertThat(actual).hasSameSizeAs(expected);
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            f.assertOutputs(
                    p.getClass().getSimpleName() + " seq " + e.getKey(),
                    actual.get(e.getKey()),
                    e.getValue(),
                    1);
        }
    }

    private static Map<Long, float[]> streamInRounds(
            BatchPredictor p, TorchFixture f, List<GruEvent> events, int maxBatch)
            throws Exception {
        Map<String, List<GruEvent>> byKey = new LinkedHashMap<>();
        for (GruEvent e : events) {
            byKey.computeIfAbsent(e.key, k -> new ArrayList<>()).add(e);
        }
        Map<String, float[]> states = new HashMap<>();
        Map<Long, float[]> outputs = new HashMap<>();
        int s = f.stateSize();
        float[] x = new float[maxBatch * f.features];
        float[] h = new float[maxBatch * s];
        float[] y = new float[maxBatch * f.outputs];
        float[] hNext = new float[maxBatch * s];
        for (int round = 0; ; round++) {
            List<GruEvent> batch = new ArrayList<>();
            for (List<GruEvent> seq : byKey.values()) {
                if (round < seq.size()) {
                    batch.add(seq.get(round));
                }
            }
            if (batch.isEmpty()) {
                return outputs;
            }
            for (int start = 0; start < batch.size(); start += maxBatch) {
                int n = Math.min(maxBatch, batch.size() - start);
                for (int i = 0; i < n; i++) {
                    GruEvent e = batch.get(start + i);
                    System.arraycopy(e.features, 0, x, i * f.features, f.features);
                    float[] state = states.computeIfAbsent(e.key, k -> new float[s]);
                    System.arraycopy(state, 0, h, i * s, s);
                }
                p.step(n, x, h, y, hNext);
                for (int i = 0; i < n; i++) {
                    GruEvent e = batch.get(start + i);
                    System.arraycopy(hNext, i * s, states.get(e.key), 0, s);
                    float[] out = new float[f.outputs];
                    System.arraycopy(y, i * f.outputs, out, 0, f.outputs);
                    outputs.put(e.eventId, out);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void paddedRowsNeverReachOutputs(Engine engine) throws Exception {
        TorchFixture f = TorchFixture.load("tiny");
        TorchFixture.StepCase c = f.step();
        try (BatchPredictor p = engine.open(f, 256)) {
            // 5 rows are padded to a bucket of 8; slots past row 5 must stay untouched.
            float[] y = new float[8 * f.outputs];
            float[] hNext = new float[8 * f.stateSize()];
            java.util.Arrays.fill(y, 42f);
            java.util.Arrays.fill(hNext, 42f);
            p.step(c.batch, c.x, c.h, y, hNext);
            Tolerance.assertClose("y", y, c.y, c.y.length);
            for (int i = c.y.length; i < y.length; i++) {
                assertThat(y[i]).isEqualTo(42f);
            }
            for (int i = c.hNext.length; i < hNext.length; i++) {
                assertThat(hNext[i]).isEqualTo(42f);
            }
        }
    }

    /**
     * recommender-strict does not clamp its item ids: an id it has no embedding for makes the step
     * throw on either engine (the operator then isolates the row), while the padded rows' zeros and
     * its last id are fine.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aStrictModelThrowsOnAnItemIdItHasNoEmbeddingFor(Engine engine) throws Exception {
        TorchFixture f = TorchFixture.load("recommender-strict");
        int items = 200; // its meta.properties' items
        float[] h = new float[3 * f.stateSize()];
        float[] y = new float[4 * f.outputs];
        float[] hNext = new float[4 * f.stateSize()];
        try (BatchPredictor p = engine.open(f, 16)) {
            p.step(3, new float[] {0f, items - 1, 7f}, h, y, hNext); // padded to 4: a zero row
            assertThat(y[0]).isBetween(0f, items - 1f);
            assertThatThrownBy(() -> p.step(3, new float[] {0f, items, 7f}, h, y, hNext))
                    .isInstanceOf(Exception.class)
                    .hasMessageContaining(engine == Engine.TORCHSCRIPT ? "index" : "out of");
            // The predictor is still usable after the failed step.
            p.step(1, new float[] {42f}, h, y, hNext);
            assertThat(y[0]).isBetween(0f, items - 1f);
        }
    }

    /** The two engines give the same numbers on the same weights, batch after batch. */
    @ParameterizedTest
    @ValueSource(strings = {"two-layer", "projection"})
    void bothEnginesAgreeOnEveryBucket(String name) throws Exception {
        TorchFixture f = TorchFixture.load(name);
        java.util.Random random = new java.util.Random(5);
        try (BatchPredictor torch = Engine.TORCHSCRIPT.open(f, 100);
                BatchPredictor onnx = Engine.ONNX.open(f, 100)) {
            for (int batch : new int[] {1, 3, 8, 33, 64, 65, 100}) {
                float[] x = new float[batch * f.features];
                float[] h = new float[batch * f.stateSize()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                for (int i = 0; i < h.length; i++) {
                    h[i] = (float) (0.5 * random.nextGaussian());
                }
                float[] y1 = new float[batch * f.outputs];
                float[] y2 = new float[batch * f.outputs];
                float[] h1 = new float[h.length];
                float[] h2 = new float[h.length];
                torch.step(batch, x, h, y1, h1);
                onnx.step(batch, x, h, y2, h2);
                Tolerance.assertClose("y at B=" + batch, y2, y1, y1.length);
                Tolerance.assertClose("h' at B=" + batch, h2, h1, h1.length);
            }
        }
    }

    @Test
    void shapeBucketsArePowersOfTwoUpToTheMaximum() {
        assertThat(new ShapeBuckets(256).sizes()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256);
        assertThat(new ShapeBuckets(100).sizes()).containsExactly(1, 2, 4, 8, 16, 32, 64, 100);
        assertThat(new ShapeBuckets(100).bucketFor(65)).isEqualTo(100);
        assertThat(new ShapeBuckets(1).bucketFor(1)).isEqualTo(1);
        assertThatThrownBy(() -> new ShapeBuckets(8).bucketFor(9))
                .hasMessageContaining("exceeds the largest bucket 8");
    }

    @Test
    void probesRunAtOneAndALargerBucket() {
        assertThat(ModelContract.probeBatches(new ShapeBuckets(256))).containsExactly(1, 8);
        assertThat(ModelContract.probeBatches(new ShapeBuckets(5))).containsExactly(1, 5);
        assertThat(ModelContract.probeBatches(new ShapeBuckets(1))).containsExactly(1);
    }
}
