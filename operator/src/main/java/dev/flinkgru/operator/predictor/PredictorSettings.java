package dev.flinkgru.operator.predictor;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

/**
 * What a predictor of a model file opens with, whatever its engine: the model file (or directory of
 * versions), H, L, the device, the engine's threads and whether to warm up. Checked once, here;
 * held by {@link TorchScriptPredictorFactory}, {@link OnnxPredictorFactory} and {@link
 * AutoPredictorFactory} alike, so a model file's settings are the same whichever engine opens it.
 */
@PublicEvolving
public final class PredictorSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * The engine's intra- and inter-op threads when none are given: one each, the default of {@code
     * gru.predictor.intra-op-threads} and {@code gru.predictor.inter-op-threads}.
     */
    public static final int DEFAULT_THREADS = 1;

    private final String modelPath;
    private final int hiddenSize;
    private final int layers;
    private final String device;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final boolean warmUp;
    private final boolean allowTf32;

    /**
     * @param modelPath a model file, or a directory of versions ({@link ModelVersions})
     * @param hiddenSize H
     * @param layers L
     * @param device cpu, gpu, gpu:N or auto (ONNX: cpu or auto, checked at open)
     * @param intraOpThreads the engine's intra-op threads, 0 for its default
     * @param interOpThreads the engine's inter-op threads, 0 for its default
     * @param warmUp whether to run every bucket size once at open
     */
    public PredictorSettings(
            String modelPath,
            int hiddenSize,
            int layers,
            String device,
            int intraOpThreads,
            int interOpThreads,
            boolean warmUp) {
        this(modelPath, hiddenSize, layers, device, intraOpThreads, interOpThreads, warmUp, false);
    }

    /**
     * As above, and whether a TorchScript model on a GPU may use TensorFloat-32 ({@code
     * gru.predictor.allow-tf32}; outputs then move by up to ~4e-4 instead of 1e-5).
     */
    public PredictorSettings(
            String modelPath,
            int hiddenSize,
            int layers,
            String device,
            int intraOpThreads,
            int interOpThreads,
            boolean warmUp,
            boolean allowTf32) {
        Preconditions.checkNotNull(modelPath, "the model path must not be null");
        Preconditions.checkArgument(
                hiddenSize >= 1, "hidden size must be at least 1, was %s", hiddenSize);
        Preconditions.checkArgument(layers >= 1, "layers must be at least 1, was %s", layers);
        Preconditions.checkNotNull(device, "the device must not be null");
        DeviceSpec.validate(device);
        Preconditions.checkArgument(
                intraOpThreads >= 0,
                "intra-op threads must not be negative, was %s",
                intraOpThreads);
        Preconditions.checkArgument(
                interOpThreads >= 0,
                "inter-op threads must not be negative, was %s",
                interOpThreads);
        this.modelPath = modelPath;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.device = device;
        this.intraOpThreads = intraOpThreads;
        this.interOpThreads = interOpThreads;
        this.warmUp = warmUp;
        this.allowTf32 = allowTf32;
    }

    /** On the CPU, {@link #DEFAULT_THREADS} each, no warm-up. */
    public PredictorSettings(String modelPath, int hiddenSize, int layers) {
        this(modelPath, hiddenSize, layers, "cpu", DEFAULT_THREADS, DEFAULT_THREADS, false);
    }

    /** These settings for another file of the model. */
    public PredictorSettings withModelPath(String otherPath) {
        return new PredictorSettings(
                otherPath,
                hiddenSize,
                layers,
                device,
                intraOpThreads,
                interOpThreads,
                warmUp,
                allowTf32);
    }

    public String modelPath() {
        return modelPath;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int layers() {
        return layers;
    }

    public String device() {
        return device;
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }

    public int interOpThreads() {
        return interOpThreads;
    }

    public boolean warmUp() {
        return warmUp;
    }

    /** Whether a TorchScript model on a GPU may use TensorFloat-32. */
    public boolean allowTf32() {
        return allowTf32;
    }

    /** The model and its sizes for {@code explain()}: "PATH (H=64, L=1)". */
    String describeModel() {
        return modelPath + " (H=" + hiddenSize + ", L=" + layers + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PredictorSettings)) {
            return false;
        }
        PredictorSettings that = (PredictorSettings) o;
        return hiddenSize == that.hiddenSize
                && layers == that.layers
                && intraOpThreads == that.intraOpThreads
                && interOpThreads == that.interOpThreads
                && warmUp == that.warmUp
                && allowTf32 == that.allowTf32
                && modelPath.equals(that.modelPath)
                && device.equals(that.device);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                modelPath,
                hiddenSize,
                layers,
                device,
                intraOpThreads,
                interOpThreads,
                warmUp,
                allowTf32);
    }

    @Override
    public String toString() {
        return "PredictorSettings{"
                + describeModel()
                + ", device "
                + device
                + ", threads "
                + intraOpThreads
                + "/"
                + interOpThreads
                + (warmUp ? ", warm-up" : "")
                + (allowTf32 ? ", TF32 allowed" : "")
                + '}';
    }
}
