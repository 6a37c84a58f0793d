package dev.flinkgru.operator.predictor;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of the model and its predictor ({@code gru.model.*}, {@code gru.predictor.*}), for
 * {@link BatchPredictors#fromConfiguration}. Defined here, below the operator's top package, so
 * that the predictors can name them in their messages; {@code GruOptions} lists each of them as the
 * same constant, with every other option of the operator.
 */
@PublicEvolving
public final class PredictorOptions {

    private PredictorOptions() {}

    public static final ConfigOption<String> MODEL_PATH =
            ConfigOptions.key("gru.model.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A TorchScript (.pt) or ONNX (.onnx) file honouring the model contract"
                                    + " forward(x[B,F], h[L,B,H]) -> (y[B,O], h[L,B,H]), float32;"
                                    + " the format is recognised from the file's bytes. Or a"
                                    + " directory of versions: subdirectories named by number"
                                    + " (1/, 2/, ...), each with one model file (or model.pt or"
                                    + " model.onnx among others); the highest number is served.");

    public static final ConfigOption<Boolean> MODEL_WATCH =
            ConfigOptions.key("gru.model.watch")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Watch gru.model.path while the job runs: a new complete file (written"
                                    + " next to it and renamed over it) or a new version directory"
                                    + " is loaded and probed off the task thread and takes effect"
                                    + " at the next checkpoint barrier; states of the old model"
                                    + " then follow gru.state.fingerprint-mismatch (FAIL is not"
                                    + " allowed). A file that fails to load or to pass the probe is"
                                    + " refused with one log line and the modelsRefused metric; the"
                                    + " old model keeps serving. Needs checkpointing.");

    public static final ConfigOption<Duration> MODEL_WATCH_INTERVAL =
            ConfigOptions.key("gru.model.watch-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How often gru.model.watch looks at the model path. A file is taken"
                                    + " once it is unchanged between two looks.");

    public static final ConfigOption<Integer> MODEL_HIDDEN_SIZE =
            ConfigOptions.key("gru.model.hidden-size")
                    .intType()
                    .noDefaultValue()
                    .withDescription("H, hidden units per GRU layer.");

    public static final ConfigOption<Integer> MODEL_LAYERS =
            ConfigOptions.key("gru.model.layers")
                    .intType()
                    .defaultValue(1)
                    .withDescription("L, stacked GRU layers.");

    public static final ConfigOption<String> MODEL_SHA256 =
            ConfigOptions.key("gru.model.sha256")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "If set, the SHA-256 (64 hex digits) the model file must have: the"
                                    + " predictor refuses a file with another hash when it opens,"
                                    + " before loading it (a TorchScript file is code). Unset: any"
                                    + " file is loaded.");

    public static final ConfigOption<String> PREDICTOR_BACKEND =
            ConfigOptions.key("gru.predictor.backend")
                    .stringType()
                    .defaultValue("auto")
                    .withDescription(
                            "'auto' (TorchScript or ONNX, by the model file's bytes),"
                                    + " 'torchscript' (DJL, PyTorch engine), 'onnx' (ONNX Runtime,"
                                    + " CPU) or 'reference' (pure-Java GRU, for tiny nn.GRU +"
                                    + " Linear models saved as TorchScript).");

    public static final ConfigOption<String> PREDICTOR_DEVICE =
            ConfigOptions.key("gru.predictor.device")
                    .stringType()
                    .defaultValue("cpu")
                    .withDescription(
                            "cpu, gpu, gpu:N, or auto (a GPU where visible, else cpu). The ONNX"
                                    + " backend runs on the CPU only.");

    public static final ConfigOption<Integer> PREDICTOR_INTRA_OP_THREADS =
            ConfigOptions.key("gru.predictor.intra-op-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Intra-op threads of the engine (torch: per JVM; ONNX Runtime: per"
                                    + " shared session); 0: the engine's default. One leaves the other"
                                    + " cores to Flink's task threads.");

    public static final ConfigOption<Integer> PREDICTOR_INTER_OP_THREADS =
            ConfigOptions.key("gru.predictor.inter-op-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Inter-op threads of the engine (0: its default); torch takes it only"
                                    + " before the engine first starts in the JVM.");

    public static final ConfigOption<Boolean> PREDICTOR_WARM_UP =
            ConfigOptions.key("gru.predictor.warm-up")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Run one step of every batch-size bucket at open, so TorchScript"
                                    + " specializes before traffic (worth it on GPU).");

    public static final ConfigOption<Boolean> PREDICTOR_ALLOW_TF32 =
            ConfigOptions.key("gru.predictor.allow-tf32")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Let a TorchScript model on a GPU use TensorFloat-32 (libtorch's"
                                    + " default for cuDNN). Off, outputs keep within 1e-5 of torch"
                                    + " on the CPU (an H200: max |dh| 6.0e-6); on, hidden states"
                                    + " move by up to ~4e-4. Off sets NVIDIA_TF32_OVERRIDE=0 for"
                                    + " the JVM before its first GPU predictor opens; every GPU"
                                    + " predictor of a TaskManager must agree.");

    public static final ConfigOption<Integer> PREDICTOR_MAX_FAILED_ROWS =
            ConfigOptions.key("gru.predictor.max-failed-rows")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "A predictor call that throws is retried in halves down to single rows:"
                                    + " the rows the model fails on are refused with its message"
                                    + " (their keys keep their states) and the others proceed. Once"
                                    + " more than this many rows have failed since the model last"
                                    + " produced any output, the task fails: a model that fails on"
                                    + " everything fails the job.");
}
