package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code REWARM} counts only the keys it really rebuilt: a key whose history the new model fails on
 * is refused, keeps its state and is not counted; at every pipeline depth, with and without the
 * shared device batcher.
 */
class RewarmCountTest {

    private static final long MODEL_A = 0xAAAAL;
    private static final long MODEL_B = 0xBBBBL;

    /** The input model B fails on (model A does not). */
    private static final float B_FAILS_ON = 7f;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>>
            harnesses = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    /** The counting fake, failing on {@link #B_FAILS_ON} as well. */
    private static final class FailsOnSeven implements BatchPredictorFactory {
        private static final long serialVersionUID = 1L;
        private final CountingPredictorFactory counting;

        FailsOnSeven(String name) {
            this.counting = new CountingPredictorFactory(name, MODEL_B);
        }

        @Override
        public BatchPredictor open(int inputSize, int maxBatchSize) {
            BatchPredictor inner = counting.open(inputSize, maxBatchSize);
            return new BatchPredictor() {
                @Override
                public ModelShape shape() {
                    return inner.shape();
                }

                @Override
                public void step(int batch, float[] x, float[] h, float[] y, float[] hNext)
                        throws Exception {
                    for (int b = 0; b < batch; b++) {
                        if (x[b * inputSize] == B_FAILS_ON) {
                            throw new IllegalArgumentException("model B fails on 7");
                        }
                    }
                    inner.step(batch, x, h, y, hNext);
                }

                @Override
                public void close() throws Exception {
                    inner.close();
                }
            };
        }

        @Override
        public String explain() {
            return "fails-on-seven " + counting.explain();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            BatchPredictorFactory model,
            FingerprintMismatchPolicy policy,
            int depth,
            boolean shared)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        GruInference.builder()
                                .setPredictor(model)
                                .setInputSize(1)
                                .optMaxBatchSize(4)
                                .optMaxDelay(Duration.ofHours(1))
                                .optMismatchPolicy(policy)
                                .optStateHistory(3)
                                .optPipelineDepth(depth)
                                .optDeviceShared(shared)
                                .optDeviceMaxBatch(8)
                                .build()
                                .createOperatorFactory(),
                        GruEvent::getKey,
                        Types.STRING);
        harnesses.add(harness);
        return harness;
    }

    private static StreamRecord<GruEvent> event(String key, long id, float x) {
        return new StreamRecord<>(new GruEvent(key, 1000 + id, id, new float[] {x}), 1000 + id);
    }

    @ParameterizedTest(name = "depth {0}, shared {1}")
    @CsvSource({
        "1, false",
        "2, false",
        "3, false",
        "4, false",
        "1, true",
        "2, true",
        "3, true",
        "4, true"
    })
    void onlyTheKeysRebuiltAreCounted(int depth, boolean shared, TestInfo info) throws Exception {
        String name = info.getDisplayName();
        var before =
                harness(
                        new CountingPredictorFactory(name + " A", MODEL_A),
                        FingerprintMismatchPolicy.FAIL,
                        depth,
                        shared);
        before.open();
        before.processElement(event("a", 0, 1f));
        before.processElement(event("b", 1, 2f));
        before.processElement(event("a", 2, B_FAILS_ON));
        before.processElement(event("b", 3, 3f));
        before.processElement(event("c", 4, 4f));
        before.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState savepoint = before.snapshot(1, 1);

        var after =
                harness(
                        new FailsOnSeven(name + " B"),
                        FingerprintMismatchPolicy.REWARM,
                        depth,
                        shared);
        after.initializeState(savepoint);
        after.open();
        after.processElement(event("a", 5, 10f));
        after.processElement(event("b", 6, 10f));
        after.processElement(event("c", 7, 10f));
        after.processElement(event("d", 8, 10f));
        after.processElement(event("b", 9, 1f));
        ((GruOperator) after.getOperator()).finish();

        // b and c ran their history through B before their event; a's history B fails on.
        assertThat(after.extractOutputValues())
                .extracting(p -> p.key, p -> p.output[0], p -> p.steps, p -> p.modelFingerprint)
                .containsExactlyInAnyOrder(
                        tuple("b", 15f, 3L, MODEL_B),
                        tuple("c", 14f, 2L, MODEL_B),
                        tuple("d", 10f, 1L, MODEL_B),
                        tuple("b", 16f, 4L, MODEL_B));
        assertThat(after.getSideOutput(GruInference.REJECTED))
                .extracting(r -> r.getValue().event.eventId, r -> r.getValue().reason)
                .containsExactly(tuple(5L, "the model failed on this event: model B fails on 7"));
        var metrics = ((GruOperator) after.getOperator()).metrics();
        assertThat(metrics.stateRewarmed()).as("keys rebuilt: b and c").isEqualTo(2);
        assertThat(metrics.stateResets()).isZero();
    }
}
