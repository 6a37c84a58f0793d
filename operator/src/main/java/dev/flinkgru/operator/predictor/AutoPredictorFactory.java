package dev.flinkgru.operator.predictor;

import java.nio.file.Paths;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code auto} backend: at open, recognises the model file's format from its bytes ({@link
 * ModelFormat}) and opens a {@link TorchScriptPredictorFactory} or an {@link OnnxPredictorFactory}
 * with the same settings. The format is read where the predictor opens (the TaskManager), so the
 * file need not exist where the job is built.
 */
@PublicEvolving
public final class AutoPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(AutoPredictorFactory.class);

    private final PredictorSettings settings;

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
        this(
                new PredictorSettings(
                        modelPath,
                        hiddenSize,
                        layers,
                        device,
                        intraOpThreads,
                        interOpThreads,
                        warmUp));
    }

    /** CPU, {@link PredictorSettings#DEFAULT_THREADS} each, no warm-up. */
    public AutoPredictorFactory(String modelPath, int hiddenSize, int layers) {
        this(new PredictorSettings(modelPath, hiddenSize, layers));
    }

    /** Opens the model of {@code settings} on the engine of its format. */
    public AutoPredictorFactory(PredictorSettings settings) {
        this.settings = Preconditions.checkNotNull(settings, "settings must not be null");
    }

    /**
     * The factory for the format of the model file, with these settings.
     *
     * @throws java.io.IOException if the file is missing, unreadable or of neither format
     */
    public BatchPredictorFactory resolve() throws java.io.IOException {
        return resolve(ModelFormat.of(Paths.get(settings.modelPath())));
    }

    private BatchPredictorFactory resolve(ModelFormat format) {
        return format == ModelFormat.ONNX
                ? new OnnxPredictorFactory(settings)
                : new TorchScriptPredictorFactory(settings);
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        ModelFormat format = ModelFormat.of(Paths.get(settings.modelPath()));
        BatchPredictorFactory factory = resolve(format);
        LOG.info(
                "{} is a {} model: {}",
                settings.modelPath(),
                format.displayName(),
                factory.explain());
        return factory.open(inputSize, maxBatchSize);
    }

    @Override
    public String explain() {
        return "TorchScript or ONNX (by the file) "
                + settings.describeModel()
                + " on "
                + settings.device();
    }

    @Override
    public String modelPath() {
        return settings.modelPath();
    }

    /** The settings this factory opens its model with. */
    public PredictorSettings settings() {
        return settings;
    }

    @Override
    public BatchPredictorFactory forModel(String modelPath) {
        return new AutoPredictorFactory(settings.withModelPath(modelPath));
    }
}
