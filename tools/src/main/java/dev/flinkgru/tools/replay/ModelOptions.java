package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.operator.predictor.ReferenceGruPredictorFactory;
import dev.flinkgru.operator.predictor.TorchScriptPredictorFactory;
import dev.flinkgru.tools.cli.CliException;
import dev.flinkgru.tools.cli.Options;
import java.io.IOException;

/**
 * The model options the commands share ({@code --model --hidden-size --layers [--device]
 * [--backend]}): the predictor they name, opened once up front so a bad model fails before any
 * cluster starts.
 */
public final class ModelOptions {

    private ModelOptions() {}

    /** The predictor factory of {@code --backend} (default torchscript) and {@code --device}. */
    public static BatchPredictorFactory predictor(
            Options options, String model, int hidden, int layers) {
        String backend = options.get("backend", "torchscript");
        switch (backend) {
            case "torchscript":
                try {
                    return new TorchScriptPredictorFactory(
                            model, hidden, layers, options.get("device", "cpu"), 1, 1, false);
                } catch (IllegalArgumentException e) {
                    throw CliException.usage(e.getMessage());
                }
            case "reference":
                return new ReferenceGruPredictorFactory(model, hidden, layers);
            default:
                throw CliException.usage(
                        "--backend must be torchscript or reference, was '" + backend + "'");
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
        return message == null ? e.toString() : message.split("\n", 2)[0];
    }
}
