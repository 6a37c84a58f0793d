package dev.flinkgru.operator.predictor;

import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Opens {@link ReferenceGru} predictors with the weights of a TorchScript file. */
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
        SharedModels.requireModelFile(path);
        GruWeights weights = GruWeights.read(path);
        if (weights.hiddenSize != hiddenSize || weights.layers() != layers) {
            throw new IllegalArgumentException(
                    String.format(
                            "Size mismatch: --hidden-size %d --layers %d but %s has H=%d, L=%d",
                            hiddenSize, layers, modelPath, weights.hiddenSize, weights.layers()));
        }
        if (weights.inputSize != inputSize) {
            throw new IllegalArgumentException(
                    String.format(
                            "Input size mismatch: the events have %d features but %s expects F=%d",
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
}
