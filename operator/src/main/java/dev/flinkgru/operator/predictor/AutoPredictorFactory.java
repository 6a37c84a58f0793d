package dev.flinkgru.operator.predictor;

import java.nio.file.Paths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code auto} backend: at open, recognises the model file's format from its bytes ({@link
 * ModelFormat}) and opens a {@link TorchScriptPredictorFactory} or an {@link OnnxPredictorFactory}
 * with the same settings. The format is read where the predictor opens (the TaskManager), so the
 * file need not exist where the job is built.
 */
public final class AutoPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(AutoPredictorFactory.class);

    private final String modelPath;
    private final int hiddenSize;
    private final int layers;
    private final String device;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final boolean warmUp;
    private final boolean allowTf32;

    /**
     * @param modelPath a TorchScript or ONNX file
     * @param hiddenSize H
     * @param layers L
     * @param device cpu, gpu, gpu:N or auto (ONNX: cpu or auto)
     * @param intraOpThreads the engine's intra-op threads, 0 for its default
     * @param interOpThreads the engine's inter-op threads, 0 for its default
     * @param warmUp whether to run every bucket size once at open
     */
    public AutoPredictorFactory(
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
     * As above, and whether a TorchScript model on a GPU may use TensorFloat-32 (see {@link
     * TorchScriptPredictorFactory}).
     */
    public AutoPredictorFactory(
            String modelPath,
            int hiddenSize,
            int layers,
            String device,
            int intraOpThreads,
            int interOpThreads,
            boolean warmUp,
            boolean allowTf32) {
        // Both check their arguments at once; the one for the file's format is made again at open.
        delegate(
                ModelFormat.TORCHSCRIPT,
                modelPath,
                hiddenSize,
                layers,
                device,
                0,
                0,
                warmUp,
                allowTf32);
        this.modelPath = modelPath;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.device = device;
        this.intraOpThreads = intraOpThreads;
        this.interOpThreads = interOpThreads;
        this.warmUp = warmUp;
        this.allowTf32 = allowTf32;
    }

    /** CPU, one thread each, no warm-up. */
    public AutoPredictorFactory(String modelPath, int hiddenSize, int layers) {
        this(modelPath, hiddenSize, layers, "cpu", 1, 1, false);
    }

    /**
     * The factory for the format of the model file, with these settings.
     *
     * @throws java.io.IOException if the file is missing, unreadable or of neither format
     */
    public BatchPredictorFactory resolve() throws java.io.IOException {
        return resolve(ModelFormat.of(Paths.get(modelPath)));
    }

    private BatchPredictorFactory resolve(ModelFormat format) {
        return delegate(
                format,
                modelPath,
                hiddenSize,
                layers,
                device,
                intraOpThreads,
                interOpThreads,
                warmUp,
                allowTf32);
    }

    private static BatchPredictorFactory delegate(
            ModelFormat format,
            String modelPath,
            int hiddenSize,
            int layers,
            String device,
            int intraOpThreads,
            int interOpThreads,
            boolean warmUp,
            boolean allowTf32) {
        switch (format) {
            case ONNX:
                return new OnnxPredictorFactory(
                        modelPath,
                        hiddenSize,
                        layers,
                        device,
                        intraOpThreads,
                        interOpThreads,
                        warmUp);
            case TORCHSCRIPT:
            default:
                return new TorchScriptPredictorFactory(
                        modelPath,
                        hiddenSize,
                        layers,
                        device,
                        intraOpThreads,
                        interOpThreads,
                        warmUp,
                        allowTf32);
        }
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        ModelFormat format = ModelFormat.of(Paths.get(modelPath));
        BatchPredictorFactory factory = resolve(format);
        LOG.info("{} is a {} model: {}", modelPath, format.displayName(), factory.explain());
        return factory.open(inputSize, maxBatchSize);
    }

    @Override
    public String explain() {
        return "TorchScript or ONNX (by the file) "
                + modelPath
                + " (H="
                + hiddenSize
                + ", L="
                + layers
                + ") on "
                + device;
    }

    @Override
    public String modelPath() {
        return modelPath;
    }

    @Override
    public BatchPredictorFactory forModel(String modelPath) {
        return new AutoPredictorFactory(
                modelPath,
                hiddenSize,
                layers,
                device,
                intraOpThreads,
                interOpThreads,
                warmUp,
                allowTf32);
    }
}
