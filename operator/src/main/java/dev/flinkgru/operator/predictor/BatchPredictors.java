package dev.flinkgru.operator.predictor;

import dev.flinkgru.operator.GruOptions;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The one place that turns {@link GruOptions} into a {@link BatchPredictorFactory}: the model
 * ({@code gru.model.*}) and the backend with its settings ({@code gru.predictor.*}). The operator's
 * {@code fromConfiguration}, the Kafka jobs and the command line all go through it.
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
        String model = required(config, GruOptions.MODEL_PATH);
        int hidden = required(config, GruOptions.MODEL_HIDDEN_SIZE);
        int layers = config.get(GruOptions.MODEL_LAYERS);
        String backend = config.get(GruOptions.PREDICTOR_BACKEND);
        try {
            switch (backend) {
                case "torchscript":
                    return new TorchScriptPredictorFactory(
                            model,
                            hidden,
                            layers,
                            config.get(GruOptions.PREDICTOR_DEVICE),
                            config.get(GruOptions.PREDICTOR_INTRA_OP_THREADS),
                            config.get(GruOptions.PREDICTOR_INTER_OP_THREADS),
                            config.get(GruOptions.PREDICTOR_WARM_UP));
                case "reference":
                    return new ReferenceGruPredictorFactory(model, hidden, layers);
                default:
                    throw new IllegalConfigurationException(
                            "Unknown "
                                    + GruOptions.PREDICTOR_BACKEND.key()
                                    + " '"
                                    + backend
                                    + "'; expected torchscript or reference");
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
