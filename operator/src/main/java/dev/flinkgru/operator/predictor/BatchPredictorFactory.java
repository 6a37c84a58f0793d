package dev.flinkgru.operator.predictor;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Creates the predictor of one operator subtask in {@code open()}; shipped with the job graph, so
 * it holds configuration only, never native resources.
 */
@PublicEvolving
public interface BatchPredictorFactory extends Serializable {

    /**
     * Opens a predictor for batches of up to {@code maxBatchSize} rows of {@code inputSize}
     * features, failing with a message that names the sizes that disagree.
     */
    BatchPredictor open(int inputSize, int maxBatchSize) throws Exception;

    /** One line for logs, e.g. "TorchScript model.pt on cpu". */
    String explain();

    /**
     * Factories of equal keys open predictors of the same model on the same device, so that the
     * subtasks of one TaskManager may share one device batcher ({@code gru.device.shared}).
     * Default: {@link #explain()}, which names the model file and the device.
     */
    default String sharingKey() {
        return explain();
    }

    /**
     * The model file, or directory of model versions ({@link ModelVersions}), that this factory
     * opens; null if it opens no file (a test fake).
     */
    default String modelPath() {
        return null;
    }

    /**
     * The same factory for another file of the model, with every other setting kept: how a new
     * version of the model is opened ({@code gru.model.watch}, a directory of versions).
     *
     * @throws UnsupportedOperationException if this factory's model cannot be replaced
     */
    default BatchPredictorFactory forModel(String modelPath) {
        throw new UnsupportedOperationException(explain() + " cannot open another model file");
    }
}
