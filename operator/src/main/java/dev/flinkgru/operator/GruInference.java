package dev.flinkgru.operator;

import dev.flinkgru.operator.flush.FlushPolicy;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.BatchPredictors;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.Preconditions;

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
@PublicEvolving
public final class GruInference {

    /**
     * Side output of events the operator refused: wrong feature count, NaN or infinite features,
     * non-finite model output, or a model that failed on the event ({@link
     * RejectedEvent#SIDE_OUTPUT}, the same tag).
     */
    public static final OutputTag<RejectedEvent> REJECTED = RejectedEvent.SIDE_OUTPUT;

    /** Default operator uid; keep it stable, savepoints find the hidden states by it. */
    public static final String DEFAULT_UID = "gru-operator";

    private final GruOperatorSettings settings;
    private final String uid;

    private GruInference(Builder b) {
        this.settings =
                new GruOperatorSettings(
                        b.predictor,
                        b.flushPolicy,
                        b.inputSize,
                        b.mismatchPolicy,
                        b.stateTtl,
                        b.maxFailedRows,
                        b.pipelineDepth,
                        b.deviceShared,
                        b.deviceMaxBatch,
                        b.deviceMaxWait,
                        b.stateHistory,
                        b.modelWatchInterval,
                        b.order,
                        b.latePolicy);
        this.uid = b.uid;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The operator configured from {@link GruOptions} in {@code config}. */
    public static GruInference fromConfiguration(ReadableConfig config, int inputSize) {
        Builder builder =
                builder()
                        .setPredictor(BatchPredictors.fromConfiguration(config))
                        .setInputSize(inputSize)
                        .optMaxBatchSize(config.get(GruOptions.BATCH_MAX_SIZE))
                        .optMaxDelay(config.get(GruOptions.BATCH_MAX_DELAY))
                        .optMismatchPolicy(config.get(GruOptions.STATE_FINGERPRINT_MISMATCH))
                        .optMaxFailedRows(config.get(GruOptions.PREDICTOR_MAX_FAILED_ROWS))
                        .optPipelineDepth(config.get(GruOptions.PIPELINE_DEPTH))
                        .optDeviceShared(config.get(GruOptions.DEVICE_SHARED))
                        .optDeviceMaxBatch(config.get(GruOptions.DEVICE_MAX_BATCH))
                        .optDeviceMaxWait(config.get(GruOptions.DEVICE_MAX_WAIT))
                        .optStateHistory(config.get(GruOptions.STATE_HISTORY))
                        .optOrder(config.get(GruOptions.ORDER))
                        .optLatePolicy(config.get(GruOptions.ORDER_LATE));
        config.getOptional(GruOptions.STATE_TTL).ifPresent(builder::optStateTtl);
        if (config.get(GruOptions.MODEL_WATCH)) {
            builder.optModelWatch(config.get(GruOptions.MODEL_WATCH_INTERVAL));
        }
        return builder.build();
    }

    /** A new factory of the operator (each job graph needs its own). */
    public GruOperatorFactory createOperatorFactory() {
        return new GruOperatorFactory(settings);
    }

    /**
     * Adds the operator, with its uid, after {@code events}, and to the job's configuration the
     * {@link RocksDBDefaults} it does not set.
     */
    public SingleOutputStreamOperator<GruPrediction> apply(KeyedStream<GruEvent, String> events) {
        RocksDBDefaults.applyTo(events.getExecutionEnvironment());
        return events.transform(
                        "GRU inference",
                        TypeInformation.of(GruPrediction.class),
                        createOperatorFactory())
                .uid(uid)
                .name("GRU inference")
                .setDescription(
                        settings.predictor().explain() + "; " + settings.flushPolicy().explain());
    }

    public FlushPolicy flushPolicy() {
        return settings.flushPolicy();
    }

    /**
     * Builds a {@link GruInference}; {@code setX} for required, {@code optX} for optional. Each
     * setter checks its value at once.
     */
    @PublicEvolving
    public static final class Builder {
        private BatchPredictorFactory predictor;
        private int inputSize;
        private FlushPolicy flushPolicy =
                new FlushPolicy(
                        GruOptions.BATCH_MAX_SIZE.defaultValue(),
                        GruOptions.BATCH_MAX_DELAY.defaultValue());
        private FingerprintMismatchPolicy mismatchPolicy =
                GruOptions.STATE_FINGERPRINT_MISMATCH.defaultValue();
        private Duration stateTtl;
        private int maxFailedRows = GruOptions.PREDICTOR_MAX_FAILED_ROWS.defaultValue();
        private int pipelineDepth = GruOptions.PIPELINE_DEPTH.defaultValue();
        private boolean deviceShared = GruOptions.DEVICE_SHARED.defaultValue();
        private int deviceMaxBatch = GruOptions.DEVICE_MAX_BATCH.defaultValue();
        private Duration deviceMaxWait = GruOptions.DEVICE_MAX_WAIT.defaultValue();
        private int stateHistory = GruOptions.STATE_HISTORY.defaultValue();
        private Duration modelWatchInterval;
        private EventOrder order = GruOptions.ORDER.defaultValue();
        private LateEventPolicy latePolicy = GruOptions.ORDER_LATE.defaultValue();
        private String uid = DEFAULT_UID;

        private Builder() {}

        public Builder setPredictor(BatchPredictorFactory predictor) {
            this.predictor = Preconditions.checkNotNull(predictor, "predictor must not be null");
            return this;
        }

        /** F, the features of every event. */
        public Builder setInputSize(int inputSize) {
            Preconditions.checkArgument(
                    inputSize >= 1, "inputSize must be at least 1, was %s", inputSize);
            this.inputSize = inputSize;
            return this;
        }

        /** {@link GruOptions#BATCH_MAX_SIZE}. */
        public Builder optMaxBatchSize(int maxBatchSize) {
            this.flushPolicy = new FlushPolicy(maxBatchSize, flushPolicy.maxDelay());
            return this;
        }

        /** {@link GruOptions#BATCH_MAX_DELAY}. */
        public Builder optMaxDelay(Duration maxDelay) {
            this.flushPolicy = new FlushPolicy(flushPolicy.maxBatchSize(), maxDelay);
            return this;
        }

        /** {@link GruOptions#STATE_FINGERPRINT_MISMATCH}. */
        public Builder optMismatchPolicy(FingerprintMismatchPolicy mismatchPolicy) {
            this.mismatchPolicy =
                    Preconditions.checkNotNull(mismatchPolicy, "mismatchPolicy must not be null");
            return this;
        }

        /** {@link GruOptions#STATE_TTL}. */
        public Builder optStateTtl(Duration stateTtl) {
            Preconditions.checkArgument(
                    stateTtl != null && !stateTtl.isNegative() && !stateTtl.isZero(),
                    "%s must be positive, was %s",
                    GruOptions.STATE_TTL.key(),
                    stateTtl);
            this.stateTtl = stateTtl;
            return this;
        }

        /** {@link GruOptions#PREDICTOR_MAX_FAILED_ROWS}. */
        public Builder optMaxFailedRows(int maxFailedRows) {
            Preconditions.checkArgument(
                    maxFailedRows >= 0,
                    "%s must not be negative, was %s",
                    GruOptions.PREDICTOR_MAX_FAILED_ROWS.key(),
                    maxFailedRows);
            this.maxFailedRows = maxFailedRows;
            return this;
        }

        /** {@link GruOptions#PIPELINE_DEPTH}. */
        public Builder optPipelineDepth(int pipelineDepth) {
            Preconditions.checkArgument(
                    pipelineDepth >= 1,
                    "%s must be at least 1, was %s",
                    GruOptions.PIPELINE_DEPTH.key(),
                    pipelineDepth);
            this.pipelineDepth = pipelineDepth;
            return this;
        }

        /** {@link GruOptions#DEVICE_SHARED}. */
        public Builder optDeviceShared(boolean deviceShared) {
            this.deviceShared = deviceShared;
            return this;
        }

        /** {@link GruOptions#DEVICE_MAX_BATCH}. */
        public Builder optDeviceMaxBatch(int deviceMaxBatch) {
            Preconditions.checkArgument(
                    deviceMaxBatch >= 1,
                    "%s must be at least 1, was %s",
                    GruOptions.DEVICE_MAX_BATCH.key(),
                    deviceMaxBatch);
            this.deviceMaxBatch = deviceMaxBatch;
            return this;
        }

        /** {@link GruOptions#DEVICE_MAX_WAIT}. */
        public Builder optDeviceMaxWait(Duration deviceMaxWait) {
            Preconditions.checkArgument(
                    deviceMaxWait != null && !deviceMaxWait.isNegative(),
                    "%s must not be negative, was %s",
                    GruOptions.DEVICE_MAX_WAIT.key(),
                    deviceMaxWait);
            this.deviceMaxWait = deviceMaxWait;
            return this;
        }

        /** {@link GruOptions#STATE_HISTORY}. */
        public Builder optStateHistory(int stateHistory) {
            Preconditions.checkArgument(
                    stateHistory >= 0,
                    "%s must not be negative, was %s",
                    GruOptions.STATE_HISTORY.key(),
                    stateHistory);
            this.stateHistory = stateHistory;
            return this;
        }

        /**
         * {@link GruOptions#MODEL_WATCH}: watches the predictor's model path every {@code interval}
         * ({@link GruOptions#MODEL_WATCH_INTERVAL}).
         */
        public Builder optModelWatch(Duration interval) {
            Preconditions.checkArgument(
                    interval != null && !interval.isNegative() && !interval.isZero(),
                    "%s must be positive, was %s",
                    GruOptions.MODEL_WATCH_INTERVAL.key(),
                    interval);
            this.modelWatchInterval = interval;
            return this;
        }

        /** {@link GruOptions#ORDER}. */
        public Builder optOrder(EventOrder order) {
            this.order = Preconditions.checkNotNull(order, "order must not be null");
            return this;
        }

        /** {@link GruOptions#ORDER_LATE}. */
        public Builder optLatePolicy(LateEventPolicy latePolicy) {
            this.latePolicy = Preconditions.checkNotNull(latePolicy, "latePolicy must not be null");
            return this;
        }

        public Builder optUid(String uid) {
            Preconditions.checkArgument(uid != null && !uid.isBlank(), "uid must not be blank");
            this.uid = uid;
            return this;
        }

        public GruInference build() {
            Preconditions.checkState(predictor != null, "setPredictor(...) is required");
            Preconditions.checkState(inputSize != 0, "setInputSize(...) is required");
            Preconditions.checkState(
                    !deviceShared || deviceMaxBatch >= flushPolicy.maxBatchSize(),
                    "%s is %s but must be at least %s = %s",
                    GruOptions.DEVICE_MAX_BATCH.key(),
                    deviceMaxBatch,
                    GruOptions.BATCH_MAX_SIZE.key(),
                    flushPolicy.maxBatchSize());
            Preconditions.checkState(
                    mismatchPolicy != FingerprintMismatchPolicy.REWARM || stateHistory > 0,
                    "%s REWARM rebuilds states from the history kept per key: set %s to the events"
                            + " to keep (at least 1)",
                    GruOptions.STATE_FINGERPRINT_MISMATCH.key(),
                    GruOptions.STATE_HISTORY.key());
            Preconditions.checkState(
                    modelWatchInterval == null || mismatchPolicy != FingerprintMismatchPolicy.FAIL,
                    "%s cannot go with %s FAIL: the first key of the old model after a swap would"
                            + " fail the job, and every restart with it",
                    GruOptions.MODEL_WATCH.key(),
                    GruOptions.STATE_FINGERPRINT_MISMATCH.key());
            Preconditions.checkState(
                    modelWatchInterval == null || predictor.modelPath() != null,
                    "%s needs a predictor that opens a model file; %s opens none",
                    GruOptions.MODEL_WATCH.key(),
                    predictor.explain());
            return new GruInference(this);
        }
    }
}
