package dev.flinkgru.operator.predictor;

import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Opens {@link ReferenceGru} predictors with the weights of a TorchScript file of the reference
 * architecture: an {@code nn.GRU} named {@code gru} and a {@code Linear} named {@code head}, and no
 * other parameters (other models are refused with a message saying so: use auto, torchscript or
 * onnx for them).
 */
@PublicEvolving
public final class ReferenceGruPredictorFactory implements BatchPredictorFactory {

    private static final long serialVersionUID = 1L;

    private final String modelPath;
    private final int hiddenSize;
    private final int layers;

    public ReferenceGruPredictorFactory(String modelPath, int hiddenSize, int layers) {
        this.modelPath = modelPath;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
    }

    @Override
    public BatchPredictor open(int inputSize, int maxBatchSize) throws Exception {
        Path path = Paths.get(modelPath);
        if (ModelFormat.of(path) != ModelFormat.TORCHSCRIPT) {
            throw new IllegalArgumentException(
                    PredictorOptions.PREDICTOR_BACKEND.key()
                            + " is reference but "
                            + modelPath
                            + " is an ONNX model; the reference backend reads the weights of an"
                            + " nn.GRU 'gru' + Linear 'head' TorchScript file (use auto or onnx)");
        }
        GruWeights weights = GruWeights.read(path);
        if (weights.hiddenSize != hiddenSize || weights.layers() != layers) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %d, %s is %d but %s has H=%d, L=%d",
                            PredictorOptions.MODEL_HIDDEN_SIZE.key(),
                            hiddenSize,
                            PredictorOptions.MODEL_LAYERS.key(),
                            layers,
                            modelPath,
                            weights.hiddenSize,
                            weights.layers()));
        }
        if (weights.inputSize != inputSize) {
            throw new IllegalArgumentException(
                    String.format(
                            "the events have %d features but %s expects F=%d",
                            inputSize, modelPath, weights.inputSize));
        }
        return new ReferenceGru(
                weights,
                new ModelShape(
                        inputSize,
                        hiddenSize,
                        layers,
                        weights.outputSize,
                        ModelFingerprint.of(path)));
    }

    @Override
    public String explain() {
        return "reference Java GRU of " + modelPath + " (H=" + hiddenSize + ", L=" + layers + ")";
    }

    @Override
    public String modelPath() {
        return modelPath;
    }

    @Override
    public BatchPredictorFactory forModel(String modelPath) {
        return new ReferenceGruPredictorFactory(modelPath, hiddenSize, layers);
    }
}
