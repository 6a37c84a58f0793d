package dev.flinkgru.operator.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both predictors against the outputs of real torch, on the committed fixtures. */
class PredictorTest {

    private static BatchPredictor torchScript(TorchFixture f, int maxBatch) throws Exception {
        return new TorchScriptPredictorFactory(f.model().toString(), f.hidden, f.layers)
                .open(f.features, maxBatch);
    }

    private static BatchPredictor reference(TorchFixture f) throws Exception {
        return new ReferenceGruPredictorFactory(f.model().toString(), f.hidden, f.layers)
                .open(f.features, 256);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "small", "h64"})
    void torchScriptStepMatchesTorch(String name) throws Exception {
        TorchFixture f = TorchFixture.load(name);
        TorchFixture.StepCase c = f.step();
        try (BatchPredictor p = torchScript(f, 16)) {
            assertThat(p.shape().outputSize()).isEqualTo(f.outputs);
            assertStep(p, c, f);
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
        Tolerance.assertClose("y", y, c.y, c.y.length);
        Tolerance.assertClose("h'", hNext, c.hNext, c.hNext.length);
    }

    /**
     * Streams every key one event at a time, with all pending keys batched per round, and compares
     * with nn.GRU over the whole sequences: the predictor alone, without Flink.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "h64"})
    void roundsOfBatchedStepsMatchWholeSequences(String name) throws Exception {
        TorchFixture f = TorchFixture.load(name);
        Map<Long, float[]> expected = f.expected();
        try (BatchPredictor torch = torchScript(f, 64);
                BatchPredictor ref = reference(f)) {
            for (BatchPredictor p : List.of(torch, ref)) {
                Map<Long, float[]> actual = streamInRounds(p, f, f.events(), 64);
                assertThat(actual).hasSameSizeAs(expected);
                for (Map.Entry<Long, float[]> e : expected.entrySet()) {
                    Tolerance.assertClose(
                            p.getClass().getSimpleName() + " seq " + e.getKey(),
                            actual.get(e.getKey()),
                            e.getValue(),
                            f.outputs);
                }
            }
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

    @Test
    void paddedRowsNeverReachOutputs() throws Exception {
        TorchFixture f = TorchFixture.load("tiny");
        TorchFixture.StepCase c = f.step();
        try (BatchPredictor p = torchScript(f, 256)) {
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
    void wrongHiddenSizeIsNamed() {
        TorchFixture f = TorchFixture.load("tiny");
        assertThatThrownBy(
                        () ->
                                new TorchScriptPredictorFactory(f.model().toString(), 16, f.layers)
                                        .open(f.features, 8))
                .hasMessageContaining("Hidden size mismatch")
                .hasMessageContaining("--hidden-size is 16")
                .hasMessageContaining("H=8");
    }

    @Test
    void wrongLayerCountIsNamed() {
        TorchFixture f = TorchFixture.load("tiny");
        assertThatThrownBy(
                        () ->
                                new TorchScriptPredictorFactory(f.model().toString(), f.hidden, 1)
                                        .open(f.features, 8))
                .hasMessageContaining("Layer count mismatch")
                .hasMessageContaining("--layers is 1")
                .hasMessageContaining("2 GRU layers");
    }

    @Test
    void wrongFeatureCountIsNamed() {
        TorchFixture f = TorchFixture.load("tiny");
        assertThatThrownBy(
                        () ->
                                new TorchScriptPredictorFactory(
                                                f.model().toString(), f.hidden, f.layers)
                                        .open(5, 8))
                .hasMessageContaining("Input size mismatch")
                .hasMessageContaining("5 features")
                .hasMessageContaining("F=3");
    }

    @Test
    void missingAndCorruptModelsAreNamed(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path missing = tmp.resolve("nope.pt");
        assertThatThrownBy(
                        () -> new TorchScriptPredictorFactory(missing.toString(), 8, 1).open(3, 8))
                .hasMessageContaining("Model file not found")
                .hasMessageContaining("nope.pt");
        Path corrupt = Files.writeString(tmp.resolve("corrupt.pt"), "not a model");
        assertThatThrownBy(
                        () -> new TorchScriptPredictorFactory(corrupt.toString(), 8, 1).open(3, 8))
                .hasMessageContaining("Cannot load TorchScript model")
                .hasMessageContaining("corrupt.pt");
    }

    @Test
    void aModelWithoutTheNewStateIsNamed() {
        String model = TorchFixture.root().resolve("faulty/one-output.pt").toString();
        assertThatThrownBy(() -> new TorchScriptPredictorFactory(model, 8, 1).open(3, 8))
                .hasMessageContaining("must return (y[B,O], h[L,B,H])")
                .hasMessageContaining("returned 1 outputs");
    }

    @Test
    void aModelReturningAStateOfAnotherSizeIsNamed() {
        String model = TorchFixture.root().resolve("faulty/wrong-state.pt").toString();
        assertThatThrownBy(() -> new TorchScriptPredictorFactory(model, 8, 1).open(3, 8))
                .hasMessageContaining("Hidden state shape mismatch")
                .hasMessageContaining("(1, 1, 4)")
                .hasMessageContaining("[1, 1, 8]");
    }
}
