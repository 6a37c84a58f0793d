package dev.flinkgru.operator;

import dev.flinkgru.operator.internal.Batch;
import dev.flinkgru.operator.internal.BatchStep;
import dev.flinkgru.operator.internal.DeviceBatcher;
import dev.flinkgru.operator.internal.StepRunner;
import dev.flinkgru.operator.internal.ThreadedStepRunner;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.operator.predictor.SharedLeases;
import dev.flinkgru.state.ModelFingerprint;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * One model as a subtask serves it: the predictor (its own, or a hold on the TaskManager's shared
 * device batcher), the batch step on it, the runner of the steps and the batches the pipeline
 * reuses. The operator swaps it whole when a new model version takes effect.
 */
final class ServedModel implements AutoCloseable {

    final BatchPredictor predictor;

    /** The shared device batcher this model runs on, or null. */
    final DeviceBatcher deviceBatcher;

    /** This model's lease on {@link #deviceBatcher}, or null. */
    private final SharedLeases.Lease<DeviceBatcher> batcherLease;

    final BatchStep<GruEvent> step;
    final StepRunner<GruEvent> runner;
    final ModelShape shape;

    /** Batches not in flight; one per level of the pipeline. */
    final ArrayDeque<Batch<GruEvent>> freeBatches = new ArrayDeque<>();

    private ServedModel(
            BatchPredictor predictor,
            SharedLeases.Lease<DeviceBatcher> batcherLease,
            BatchStep<GruEvent> step,
            StepRunner<GruEvent> runner,
            int depth) {
        this.predictor = predictor;
        this.batcherLease = batcherLease;
        this.deviceBatcher = batcherLease == null ? null : batcherLease.get();
        this.step = step;
        this.runner = runner;
        this.shape = predictor.shape();
        for (int i = 0; i < depth; i++) {
            freeBatches.add(step.newBatch());
        }
    }

    /**
     * Opens the model of {@code factory} as {@code settings} say (which may load it: seconds).
     *
     * @param thread the name the runner's threads start with
     */
    static ServedModel open(
            GruOperatorSettings settings, BatchPredictorFactory factory, String thread)
            throws Exception {
        int maxBatch = settings.flushPolicy().maxBatchSize();
        if (!settings.deviceShared()) {
            BatchPredictor predictor = factory.open(settings.inputSize(), maxBatch);
            BatchStep<GruEvent> step = step(predictor, settings);
            StepRunner<GruEvent> runner =
                    settings.pipelineDepth() == 1
                            ? StepRunner.inline(step)
                            : new ThreadedStepRunner<>(step, thread + " predictor", 1);
            return new ServedModel(predictor, null, step, runner, settings.pipelineDepth());
        }
        if (settings.deviceMaxBatch() < maxBatch) {
            throw new IllegalConfigurationException(
                    GruOptions.DEVICE_MAX_BATCH.key()
                            + " is "
                            + settings.deviceMaxBatch()
                            + " but must be at least "
                            + GruOptions.BATCH_MAX_SIZE.key()
                            + " = "
                            + maxBatch);
        }
        SharedLeases.Lease<DeviceBatcher> lease =
                DeviceBatcher.acquire(
                        sharingKey(factory, settings.inputSize()),
                        settings.deviceMaxBatch(),
                        settings.deviceMaxWait(),
                        () -> factory.open(settings.inputSize(), settings.deviceMaxBatch()));
        BatchPredictor client = lease.get().client();
        BatchStep<GruEvent> step = step(client, settings);
        // A thread per batch in flight: each waits at the batcher while its batch is there.
        StepRunner<GruEvent> runner =
                new ThreadedStepRunner<>(step, thread + " device", settings.pipelineDepth());
        return new ServedModel(client, lease, step, runner, settings.pipelineDepth());
    }

    private static BatchStep<GruEvent> step(
            BatchPredictor predictor, GruOperatorSettings settings) {
        return new BatchStep<>(
                predictor,
                settings.flushPolicy().maxBatchSize(),
                settings.maxFailedRows(),
                event -> event.features,
                event -> event.timestamp);
    }

    /**
     * Subtasks share a batcher for the same model file with the same content (a file replaced in
     * place is another model), on the same device, for the same F.
     */
    private static String sharingKey(BatchPredictorFactory factory, int inputSize) {
        String key = factory.sharingKey() + " F=" + inputSize;
        if (factory.modelPath() != null) {
            key +=
                    " "
                            + ModelFingerprint.toHex(
                                    ModelFingerprint.of(Paths.get(factory.modelPath())));
        }
        return key;
    }

    String explain() {
        return shape.toString() + (deviceBatcher != null ? " on the shared device batcher" : "");
    }

    /**
     * Stops the runner's threads (a native call in progress is waited for), then closes the
     * predictor or returns the hold on the shared batcher.
     */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        try {
            runner.close();
        } catch (Exception e) {
            failure = e;
        }
        try {
            if (batcherLease != null) {
                batcherLease.close();
            } else {
                predictor.close();
            }
        } catch (Exception e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
