package dev.flinkgru.operator;

import dev.flinkgru.operator.flush.FlushOptions;
import dev.flinkgru.operator.predictor.PredictorOptions;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the GRU operator, for {@link GruInference#fromConfiguration}: every one of them, those
 * of the model and its predictor ({@link PredictorOptions}) and of the flush policy ({@link
 * FlushOptions}) as the same constants.
 */
@PublicEvolving
public final class GruOptions {

    private GruOptions() {}

    /** {@link FlushOptions#BATCH_MAX_SIZE}. */
    public static final ConfigOption<Integer> BATCH_MAX_SIZE = FlushOptions.BATCH_MAX_SIZE;

    /** {@link FlushOptions#BATCH_MAX_DELAY}. */
    public static final ConfigOption<Duration> BATCH_MAX_DELAY = FlushOptions.BATCH_MAX_DELAY;

    /** {@link PredictorOptions#MODEL_PATH}. */
    public static final ConfigOption<String> MODEL_PATH = PredictorOptions.MODEL_PATH;

    /** {@link PredictorOptions#MODEL_WATCH}. */
    public static final ConfigOption<Boolean> MODEL_WATCH = PredictorOptions.MODEL_WATCH;

    /** {@link PredictorOptions#MODEL_WATCH_INTERVAL}. */
    public static final ConfigOption<Duration> MODEL_WATCH_INTERVAL =
            PredictorOptions.MODEL_WATCH_INTERVAL;

    /** {@link PredictorOptions#MODEL_HIDDEN_SIZE}. */
    public static final ConfigOption<Integer> MODEL_HIDDEN_SIZE =
            PredictorOptions.MODEL_HIDDEN_SIZE;

    /** {@link PredictorOptions#MODEL_LAYERS}. */
    public static final ConfigOption<Integer> MODEL_LAYERS = PredictorOptions.MODEL_LAYERS;

    /** {@link PredictorOptions#MODEL_SHA256}. */
    public static final ConfigOption<String> MODEL_SHA256 = PredictorOptions.MODEL_SHA256;

    /** {@link PredictorOptions#PREDICTOR_BACKEND}. */
    public static final ConfigOption<String> PREDICTOR_BACKEND = PredictorOptions.PREDICTOR_BACKEND;

    /** {@link PredictorOptions#PREDICTOR_DEVICE}. */
    public static final ConfigOption<String> PREDICTOR_DEVICE = PredictorOptions.PREDICTOR_DEVICE;

    /** {@link PredictorOptions#PREDICTOR_ALLOW_TF32}. */
    public static final ConfigOption<Boolean> PREDICTOR_ALLOW_TF32 =
            PredictorOptions.PREDICTOR_ALLOW_TF32;

    /** {@link PredictorOptions#PREDICTOR_INTRA_OP_THREADS}. */
    public static final ConfigOption<Integer> PREDICTOR_INTRA_OP_THREADS =
            PredictorOptions.PREDICTOR_INTRA_OP_THREADS;

    /** {@link PredictorOptions#PREDICTOR_INTER_OP_THREADS}. */
    public static final ConfigOption<Integer> PREDICTOR_INTER_OP_THREADS =
            PredictorOptions.PREDICTOR_INTER_OP_THREADS;

    /** {@link PredictorOptions#PREDICTOR_WARM_UP}. */
    public static final ConfigOption<Boolean> PREDICTOR_WARM_UP =
            PredictorOptions.PREDICTOR_WARM_UP;

    /** {@link PredictorOptions#PREDICTOR_MAX_FAILED_ROWS}. */
    public static final ConfigOption<Integer> PREDICTOR_MAX_FAILED_ROWS =
            PredictorOptions.PREDICTOR_MAX_FAILED_ROWS;

    public static final ConfigOption<Integer> PIPELINE_DEPTH =
            ConfigOptions.key("gru.pipeline.depth")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Batches in flight per subtask. At 2 or more the predictor runs off the"
                                    + " task thread, which meanwhile gathers the next batch; a key"
                                    + " with a step in flight waits for its result. 1: every step"
                                    + " on the task thread.");

    public static final ConfigOption<Boolean> DEVICE_SHARED =
            ConfigOptions.key("gru.device.shared")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "The subtasks of one TaskManager that run the same model on the same"
                                    + " device hand their batches to one device batcher, which"
                                    + " joins them into calls of up to gru.device.max-batch rows."
                                    + " Worth it on a GPU; needs gru.pipeline.depth 2 or more to"
                                    + " keep several batches queued.");

    public static final ConfigOption<Integer> DEVICE_MAX_BATCH =
            ConfigOptions.key("gru.device.max-batch")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Most rows of one call of the shared device batcher (at least"
                                    + " gru.batch.max-size).");

    public static final ConfigOption<Duration> DEVICE_MAX_WAIT =
            ConfigOptions.key("gru.device.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofMillis(1))
                    .withDescription(
                            "How long the shared device batcher holds a call for more batches to"
                                    + " join it (until gru.device.max-batch rows are there), counted"
                                    + " from the later of its first batch's arrival and the end of"
                                    + " the last call: the most latency it adds per call for larger"
                                    + " device calls. 0: never waits.");

    public static final ConfigOption<EventOrder> ORDER =
            ConfigOptions.key("gru.order")
                    .enumType(EventOrder.class)
                    .defaultValue(EventOrder.ARRIVAL)
                    .withDescription(
                            "The order in which each key's events are stepped. ARRIVAL: as they"
                                    + " reach the operator's subtask (right when the input of each"
                                    + " key is ordered, e.g. a Kafka topic keyed by the job's key;"
                                    + " the lowest latency). EVENT_TIME: in timestamp order (equal"
                                    + " timestamps in arrival order): an event waits in keyed state"
                                    + " (checkpointed, rescaled, with gru.state.ttl) until the"
                                    + " operator's watermark reaches its timestamp, so every event"
                                    + " pays the watermark's delay; late events follow"
                                    + " gru.order.late. Needs watermarks on the operator's input;"
                                    + " the end of a bounded input releases everything.");

    public static final ConfigOption<LateEventPolicy> ORDER_LATE =
            ConfigOptions.key("gru.order.late")
                    .enumType(LateEventPolicy.class)
                    .defaultValue(LateEventPolicy.REJECT)
                    .withDescription(
                            "With gru.order EVENT_TIME, what to do with an event whose timestamp is"
                                    + " behind the watermark when it arrives, or behind its key's"
                                    + " last stepped event: REJECT it (the side output REJECTED,"
                                    + " with a reason that says it is late and by how much) or STEP"
                                    + " it on arrival. Counted in the lateEvents metric either"
                                    + " way.");

    public static final ConfigOption<Duration> STATE_TTL =
            ConfigOptions.key("gru.state.ttl")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Processing time after its last event at which a key's hidden state"
                                    + " expires; unset: never.");

    public static final ConfigOption<FingerprintMismatchPolicy> STATE_FINGERPRINT_MISMATCH =
            ConfigOptions.key("gru.state.fingerprint-mismatch")
                    .enumType(FingerprintMismatchPolicy.class)
                    .defaultValue(FingerprintMismatchPolicy.RESET)
                    .withDescription(
                            "What to do with a key's state from another model (restored from a"
                                    + " savepoint taken under another model, or after"
                                    + " gru.model.watch swapped the model): RESET it to the zero"
                                    + " state; FAIL the job; KEEP it as it is if it has the size"
                                    + " L*H of the new model's (fine-tuned models of one"
                                    + " architecture), else reset it; REWARM it: run the key's last"
                                    + " gru.state.history events through the new model from the"
                                    + " zero state before its next event (a key without history is"
                                    + " reset). Counted per key in the stateResets, stateKept and"
                                    + " stateRewarmed metrics.");

    public static final ConfigOption<Integer> STATE_HISTORY =
            ConfigOptions.key("gru.state.history")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Events kept per key, their features in a ring in keyed state (with"
                                    + " the hidden state's TTL), for REWARM. 0: none. Costs F*N"
                                    + " floats per key and one more state access per event.");
}
