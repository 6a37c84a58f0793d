package dev.flinkgru.operator;

import dev.flinkgru.operator.flush.FlushPolicy;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.BatchPredictors;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Applies the GRU operator to a keyed stream of {@link GruEvent}s:
 *
 * <pre>{@code
 * SingleOutputStreamOperator<GruPrediction> predictions =
 *     GruInference.builder()
 *         .setPredictor(new TorchScriptPredictorFactory("model.pt", 64, 1))
 *         .setInputSize(8)
 *         .optMaxBatchSize(256)
 *         .build()
 *         .apply(events.keyBy(GruEvent::getKey));
 * DataStream<RejectedEvent> rejected = predictions.getSideOutput(GruInference.REJECTED);
 * }</pre>
 */
public final class GruInference {

    /** Side output of events the operator refused (wrong feature count, NaN or infinite). */
    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("gru-rejected", TypeInformation.of(RejectedEvent.class));

    /** Default operator uid; keep it stable, savepoints find the hidden states by it. */
    public static final String DEFAULT_UID = "gru-operator";

    private final BatchPredictorFactory predictor;
    private final int inputSize;
    private final FlushPolicy flushPolicy;
    private final FingerprintMismatchPolicy mismatchPolicy;
    private final Duration stateTtl;
    private final String uid;

    private GruInference(Builder b) {
        this.predictor = b.predictor;
        this.inputSize = b.inputSize;
        this.flushPolicy = new FlushPolicy(b.maxBatchSize, b.maxDelay);
        this.mismatchPolicy = b.mismatchPolicy;
        this.stateTtl = b.stateTtl;
        this.uid = b.uid;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The operator configured from {@link GruOptions} in {@code config}. */
    public static GruInference fromConfiguration(ReadableConfig config, int inputSize) {
        BatchPredictorFactory predictor = BatchPredictors.fromConfiguration(config);
        Builder builder =
                builder()
                        .setPredictor(predictor)
                        .setInputSize(inputSize)
                        .optMaxBatchSize(config.get(GruOptions.BATCH_MAX_SIZE))
                        .optMaxDelay(config.get(GruOptions.BATCH_MAX_DELAY))
                        .optMismatchPolicy(config.get(GruOptions.STATE_FINGERPRINT_MISMATCH));
        config.getOptional(GruOptions.STATE_TTL).ifPresent(builder::optStateTtl);
        return builder.build();
    }

    /** A new operator instance (each job graph needs its own). */
    public GruOperator createOperator() {
        return new GruOperator(predictor, flushPolicy, inputSize, mismatchPolicy, stateTtl);
    }

    /** Adds the operator, with its uid, after {@code events}. */
    public SingleOutputStreamOperator<GruPrediction> apply(KeyedStream<GruEvent, String> events) {
        return events.transform(
                        "GRU inference", TypeInformation.of(GruPrediction.class), createOperator())
                .uid(uid)
                .name("GRU inference")
                .setDescription(predictor.explain() + "; " + flushPolicy.explain());
    }

    public FlushPolicy flushPolicy() {
        return flushPolicy;
    }

    /** Builds a {@link GruInference}; {@code setX} for required, {@code optX} for optional. */
    public static final class Builder {
        private BatchPredictorFactory predictor;
        private int inputSize;
        private int maxBatchSize = GruOptions.BATCH_MAX_SIZE.defaultValue();
        private Duration maxDelay = GruOptions.BATCH_MAX_DELAY.defaultValue();
        private FingerprintMismatchPolicy mismatchPolicy =
                GruOptions.STATE_FINGERPRINT_MISMATCH.defaultValue();
        private Duration stateTtl;
        private String uid = DEFAULT_UID;

        private Builder() {}

        public Builder setPredictor(BatchPredictorFactory predictor) {
            this.predictor = predictor;
            return this;
        }

        /** F, the features of every event. */
        public Builder setInputSize(int inputSize) {
            if (inputSize < 1) {
                throw new IllegalArgumentException(
                        "inputSize must be at least 1, was " + inputSize);
            }
            this.inputSize = inputSize;
            return this;
        }

        public Builder optMaxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException(
                        "maxBatchSize must be at least 1, was " + maxBatchSize);
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder optMaxDelay(Duration maxDelay) {
            if (maxDelay == null || maxDelay.isNegative() || maxDelay.isZero()) {
                throw new IllegalArgumentException("maxDelay must be positive, was " + maxDelay);
            }
            this.maxDelay = maxDelay;
            return this;
        }

        public Builder optMismatchPolicy(FingerprintMismatchPolicy mismatchPolicy) {
            this.mismatchPolicy = mismatchPolicy;
            return this;
        }

        public Builder optStateTtl(Duration stateTtl) {
            if (stateTtl == null || stateTtl.isNegative() || stateTtl.isZero()) {
                throw new IllegalArgumentException("stateTtl must be positive, was " + stateTtl);
            }
            this.stateTtl = stateTtl;
            return this;
        }

        public Builder optUid(String uid) {
            this.uid = uid;
            return this;
        }

        public GruInference build() {
            if (predictor == null) {
                throw new IllegalStateException("setPredictor(...) is required");
            }
            if (inputSize == 0) {
                throw new IllegalStateException("setInputSize(...) is required");
            }
            return new GruInference(this);
        }
    }
}
