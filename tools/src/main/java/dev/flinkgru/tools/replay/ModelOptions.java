package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.BatchPredictors;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.tools.cli.CliException;
import dev.flinkgru.tools.cli.Options;
import java.io.IOException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * The model options the commands share ({@code --model --hidden-size --layers [--device]
 * [--backend]}): the predictor they name, opened once up front so a bad model fails before any
 * cluster starts.
 */
public final class ModelOptions {

    private ModelOptions() {}

    /**
     * The predictor factory of {@code --model --hidden-size --layers}, {@code --backend} and {@code
     * --device}: the flags mapped onto {@link GruOptions}, built by {@link BatchPredictors}.
     */
    public static BatchPredictorFactory predictor(
            Options options, String model, int hidden, int layers) {
        Configuration config = new Configuration();
        config.set(GruOptions.MODEL_PATH, model);
        config.set(GruOptions.MODEL_HIDDEN_SIZE, hidden);
        config.set(GruOptions.MODEL_LAYERS, layers);
        if (options.has("backend")) {
            config.set(GruOptions.PREDICTOR_BACKEND, options.required("backend"));
        }
        if (options.has("device")) {
            config.set(GruOptions.PREDICTOR_DEVICE, options.required("device"));
        }
        try {
            return BatchPredictors.fromConfiguration(config);
        } catch (IllegalConfigurationException e) {
            throw CliException.usage(flags(e.getMessage()));
        }
    }

    /** Opens a predictor, or throws a one-line {@link CliException} naming what is wrong. */
    public static BatchPredictor open(BatchPredictorFactory factory, int features, int batchSize) {
        try {
            return factory.open(features, batchSize);
        } catch (Exception e) {
            throw new CliException(CliException.FAILURE, rootMessage(e), e);
        }
    }

    /** Opens and closes a predictor: the model's shape, or a one-line {@link CliException}. */
    public static ModelShape check(BatchPredictorFactory factory, int features, int batchSize) {
        try (BatchPredictor predictor = open(factory, features, batchSize)) {
            return predictor.shape();
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(CliException.FAILURE, rootMessage(e), e);
        }
    }

    /** The first line of the message that says what went wrong. */
    public static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof IOException) {
                message = t.getMessage();
                break;
            }
        }
        return message == null ? e.toString() : flags(message.split("\n", 2)[0]);
    }

    /** The library's option keys in a message, as this command line's flags. */
    static String flags(String message) {
        return message.replace(GruOptions.MODEL_HIDDEN_SIZE.key(), "--hidden-size")
                .replace(GruOptions.MODEL_LAYERS.key(), "--layers")
                .replace(GruOptions.MODEL_PATH.key(), "--model")
                .replace(GruOptions.PREDICTOR_BACKEND.key(), "--backend")
                .replace(GruOptions.PREDICTOR_DEVICE.key(), "--device");
    }
}
