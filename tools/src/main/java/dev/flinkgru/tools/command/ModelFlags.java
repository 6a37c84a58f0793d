package dev.flinkgru.tools.command;

import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.BatchPredictors;
import dev.flinkgru.operator.predictor.ModelShape;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The model flags the commands share ({@code --model --hidden-size --layers [--device] [--backend]
 * [--model-sha256]}), a picocli mixin: mapped onto {@link GruOptions} and built by {@link
 * BatchPredictors#fromConfiguration}, the path the operator and the Kafka jobs take. The predictor
 * is opened once up front, so a bad model fails before any cluster starts.
 */
public final class ModelFlags implements ConfigFlags {

    @Option(
            names = "--model",
            required = true,
            paramLabel = "MODEL",
            description =
                    "The model, an ONNX (.onnx) or TorchScript (.pt) file, recognised by its"
                            + " contents: gru.model.path.")
    String model;

    @Option(
            names = "--hidden-size",
            required = true,
            showDefaultValue = Visibility.NEVER,
            paramLabel = "H",
            description = "H, hidden units per GRU layer: gru.model.hidden-size.")
    int hiddenSize;

    @Option(
            names = "--layers",
            required = true,
            showDefaultValue = Visibility.NEVER,
            paramLabel = "L",
            description = "L, stacked GRU layers: gru.model.layers.")
    int layers;

    @Option(
            names = "--device",
            paramLabel = "D",
            description = "cpu, gpu, gpu:N or auto: gru.predictor.device.")
    String device = GruOptions.PREDICTOR_DEVICE.defaultValue();

    @Option(
            names = "--backend",
            paramLabel = "B",
            description =
                    "auto (by the file), onnx, torchscript, or reference (pure Java, tiny"
                            + " nn.GRU+Linear models only): gru.predictor.backend.")
    String backend = GruOptions.PREDICTOR_BACKEND.defaultValue();

    @Option(
            names = "--model-sha256",
            paramLabel = "HEX",
            description =
                    "Refuse a model file whose SHA-256 is not HEX (64 hex digits), before it is"
                            + " loaded: gru.model.sha256.")
    String modelSha256;

    @Override
    public Map<String, String> flagsByKey() {
        return Map.of(
                GruOptions.MODEL_PATH.key(), "--model",
                GruOptions.MODEL_HIDDEN_SIZE.key(), "--hidden-size",
                GruOptions.MODEL_LAYERS.key(), "--layers",
                GruOptions.PREDICTOR_DEVICE.key(), "--device",
                GruOptions.PREDICTOR_BACKEND.key(), "--backend",
                GruOptions.MODEL_SHA256.key(), "--model-sha256");
    }

    /** {@code --model}. */
    public String model() {
        return model;
    }

    /** {@code --hidden-size}. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** {@code --layers}. */
    public int layers() {
        return layers;
    }

    /** {@code --device}. */
    public String device() {
        return device;
    }

    /** {@code --backend}. */
    public String backend() {
        return backend;
    }

    /** {@code --model-sha256}, or null. */
    public String modelSha256() {
        return modelSha256;
    }

    /** Fails with a usage error unless H and L are at least 1. */
    public void check() {
        CliException.checkAtLeastOne("--hidden-size", hiddenSize);
        CliException.checkAtLeastOne("--layers", layers);
    }

    /** The flags as {@link GruOptions}. */
    public Configuration configuration() {
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, model);
        config.set(GruOptions.MODEL_HIDDEN_SIZE, hiddenSize);
        config.set(GruOptions.MODEL_LAYERS, layers);
        config.set(GruOptions.PREDICTOR_BACKEND, backend);
        config.set(GruOptions.PREDICTOR_DEVICE, device);
        if (modelSha256 != null) {
            config.set(GruOptions.MODEL_SHA256, modelSha256);
        }
        return config;
    }

    /** The predictor factory the flags name, built by {@link BatchPredictors}. */
    public BatchPredictorFactory predictor() {
        check();
        try {
            return BatchPredictors.fromConfiguration(configuration());
        } catch (IllegalConfigurationException e) {
            throw new CliException(CliException.USAGE, e.getMessage(), e);
        }
    }

    /** Opens a predictor, or throws a one-line {@link CliException} naming what is wrong. */
    public static BatchPredictor open(BatchPredictorFactory factory, int features, int batchSize) {
        try {
            return factory.open(features, batchSize);
        } catch (Exception e) {
            throw new CliException(CliException.FAILURE, ErrorPrinter.rootMessage(e), e);
        }
    }

    /** Opens and closes a predictor: the model's shape, or a one-line {@link CliException}. */
    public static ModelShape check(BatchPredictorFactory factory, int features, int batchSize) {
        try (BatchPredictor predictor = open(factory, features, batchSize)) {
            return predictor.shape();
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(CliException.FAILURE, ErrorPrinter.rootMessage(e), e);
        }
    }
}
