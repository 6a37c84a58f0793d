package dev.flinkgru.operator.predictor;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The one place that turns {@link PredictorOptions} into a {@link BatchPredictorFactory}: the model
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
        if (config.getOptional(PredictorOptions.MODEL_SHA256).isPresent()
                && config.get(PredictorOptions.MODEL_WATCH)) {
            throw new IllegalConfigurationException(
                    PredictorOptions.MODEL_SHA256.key()
                            + " pins one model file, and "
                            + PredictorOptions.MODEL_WATCH.key()
                            + " serves each new one: set one of them, not both");
        }
        return config.getOptional(PredictorOptions.MODEL_SHA256)
                .<BatchPredictorFactory>map(
                        sha256 ->
                                new Sha256CheckedPredictorFactory(
                                        factory, config.get(PredictorOptions.MODEL_PATH), sha256))
                .orElse(factory);
    }

    private static BatchPredictorFactory backend(ReadableConfig config) {
        String model = required(config, PredictorOptions.MODEL_PATH);
        int hidden = required(config, PredictorOptions.MODEL_HIDDEN_SIZE);
        int layers = config.get(PredictorOptions.MODEL_LAYERS);
        String backend = config.get(PredictorOptions.PREDICTOR_BACKEND).trim().toLowerCase();
        if (backend.equals("reference")) {
            return new ReferenceGruPredictorFactory(model, hidden, layers);
        }
        if (!backend.equals("auto") && !backend.equals("torchscript") && !backend.equals("onnx")) {
            throw new IllegalConfigurationException(
                    PredictorOptions.PREDICTOR_BACKEND.key()
                            + " is '"
                            + backend
                            + "' but must be auto, torchscript, onnx or reference");
        }
        PredictorSettings settings;
        try {
            settings =
                    new PredictorSettings(
                            model,
                            hidden,
                            layers,
                            config.get(PredictorOptions.PREDICTOR_DEVICE),
                            config.get(PredictorOptions.PREDICTOR_INTRA_OP_THREADS),
                            config.get(PredictorOptions.PREDICTOR_INTER_OP_THREADS),
                            config.get(PredictorOptions.PREDICTOR_WARM_UP),
                            config.get(PredictorOptions.PREDICTOR_ALLOW_TF32));
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(e.getMessage(), e);
        }
        switch (backend) {
            case "torchscript":
                return new TorchScriptPredictorFactory(settings);
            case "onnx":
                return new OnnxPredictorFactory(settings);
            default:
                return new AutoPredictorFactory(settings);
        }
    }

    private static <T> T required(
            ReadableConfig config, org.apache.flink.configuration.ConfigOption<T> option) {
        return config.getOptional(option)
                .orElseThrow(
                        () -> new IllegalConfigurationException(option.key() + " is required"));
    }
}
