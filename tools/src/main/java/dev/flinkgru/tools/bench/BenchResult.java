package dev.flinkgru.tools.bench;

/**
 * One measured configuration.
 *
 * @param mode no-model, per-event, batched, predictor (the predictor alone, no Flink) or kafka-job
 *     (the sensor job from Kafka to Kafka)
 * @param hidden H
 * @param batch the batch size (1 for per-event, 0 for no-model)
 * @param backend heap or rocksdb ("none" for the predictor alone)
 * @param eventsPerSecond peak throughput
 * @param p50Millis median event→output latency at half the peak load (the predictor alone: of one
 *     step; kafka-job: from a reading's produce time to its forecast visible read_committed)
 * @param p99Millis 99th percentile of the same
 * @param predictor torchscript, onnx or simulated ("-" for no-model)
 * @param pipelineDepth the operator's gru.pipeline.depth (0 for no-model and the predictor alone)
 * @param shared whether the subtasks shared one device batcher
 * @param deviceBatchMean mean rows per predictor (device) call, 0 where not measured
 * @param keys keys of the stream (0: not recorded, a run before --keys was)
 * @param keyDistribution uniform or zipf:S
 * @param checkpoints the throughput run's checkpoints ({@link CheckpointStats#NONE} without)
 * @param order the operator's gru.order: {@code arrival} or {@code event-time} (latency then
 *     includes the wait for the watermark)
 */
record BenchResult(
        String mode,
        int hidden,
        int batch,
        String backend,
        double eventsPerSecond,
        double p50Millis,
        double p99Millis,
        String predictor,
        int pipelineDepth,
        boolean shared,
        double deviceBatchMean,
        int keys,
        String keyDistribution,
        CheckpointStats checkpoints,
        String order) {

    /**
     * A result in arrival order of a run before keys, their distribution and checkpoints were
     * recorded.
     */
    BenchResult(
            String mode,
            int hidden,
            int batch,
            String backend,
            double eventsPerSecond,
            double p50Millis,
            double p99Millis,
            String predictor,
            int pipelineDepth,
            boolean shared,
            double deviceBatchMean) {
        this(
                mode,
                hidden,
                batch,
                backend,
                eventsPerSecond,
                p50Millis,
                p99Millis,
                predictor,
                pipelineDepth,
                shared,
                deviceBatchMean,
                0,
                "uniform",
                CheckpointStats.NONE,
                "arrival");
    }

    /** A result of a run before predictors, pipelining and shared devices were measured. */
    BenchResult(
            String mode,
            int hidden,
            int batch,
            String backend,
            double eventsPerSecond,
            double p50Millis,
            double p99Millis) {
        this(
                mode,
                hidden,
                batch,
                backend,
                eventsPerSecond,
                p50Millis,
                p99Millis,
                mode.equals("no-model") ? "-" : "torchscript",
                mode.equals("no-model") ? 0 : 1,
                false,
                0);
    }
}
