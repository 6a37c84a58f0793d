package dev.flinkgru.operator.predictor;

import dev.flinkgru.operator.GruOptions;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The one place that turns {@link GruOptions} into a {@link BatchPredictorFactory}: the model
 * ({@code gru.model.*}) and the backend with its settings ({@code gru.predictor.*}). The operator's
 * {@code fromConfiguration}, the Kafka jobs and the command line all go through it, so all of them
 * take a TorchScript or an ONNX file: backend {@code auto} (the default) tells them apart by the
 * file's bytes; {@code torchscript} or {@code onnx} forces one. With {@code gru.model.sha256} set,
 * whatever the backend, the predictor opens only a model file of that SHA-256.
 */
@PublicEvolving
public final class BatchPredictors {

    private BatchPredictors() {}

    /**
     * The predictor factory configured in {@code config}.
     *
     * @throws IllegalConfigurationException if a required option is missing or a value is invalid,
     *     naming the option
     */
    public static BatchPredictorFactory fromConfiguration(ReadableConfig config) {
        BatchPredictorFactory factory = backend(config);
        if (config.getOptional(GruOptions.MODEL_SHA256).isPresent()
                && config.get(GruOptions.MODEL_WATCH)) {
            throw new IllegalConfigurationException(
                    GruOptions.MODEL_SHA256.key()
                            + " pins one model file, and "
                            + GruOptions.MODEL_WATCH.key()
                            + " serves each new one: set one of them, not both");
        }
        return config.getOptional(GruOptions.MODEL_SHA256)
                .<BatchPredictorFactory>map(
                        sha256 ->
                                new Sha256CheckedPredictorFactory(
                                        factory, config.get(GruOptions.MODEL_PATH), sha256))
                .orElse(factory);
    }

    private static BatchPredictorFactory backend(ReadableConfig config) {
        String model = required(config, GruOptions.MODEL_PATH);
        int hidden = required(config, GruOptions.MODEL_HIDDEN_SIZE);
        int layers = config.get(GruOptions.MODEL_LAYERS);
        String backend = config.get(GruOptions.PREDICTOR_BACKEND).trim().toLowerCase();
        String device = config.get(GruOptions.PREDICTOR_DEVICE);
        int intra = config.get(GruOptions.PREDICTOR_INTRA_OP_THREADS);
        int inter = config.get(GruOptions.PREDICTOR_INTER_OP_THREADS);
        boolean warmUp = config.get(GruOptions.PREDICTOR_WARM_UP);
        boolean allowTf32 = config.get(GruOptions.PREDICTOR_ALLOW_TF32);
        try {
            switch (backend) {
                case "auto":
                    return new AutoPredictorFactory(
                            model, hidden, layers, device, intra, inter, warmUp, allowTf32);
                case "torchscript":
                    return new TorchScriptPredictorFactory(
                            model, hidden, layers, device, intra, inter, warmUp, allowTf32);
                case "onnx":
                    return new OnnxPredictorFactory(
                            model, hidden, layers, device, intra, inter, warmUp);
                case "reference":
                    return new ReferenceGruPredictorFactory(model, hidden, layers);
                default:
                    throw new IllegalConfigurationException(
                            GruOptions.PREDICTOR_BACKEND.key()
                                    + " is '"
                                    + backend
                                    + "' but must be auto, torchscript, onnx or reference");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(e.getMessage(), e);
        }
    }

    private static <T> T required(
            ReadableConfig config, org.apache.flink.configuration.ConfigOption<T> option) {
        return config.getOptional(option)
                .orElseThrow(
                        () -> new IllegalConfigurationException(option.key() + " is required"));
    }
}
