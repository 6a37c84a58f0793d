package dev.flinkgru.tools.bench;

/**
 * One measured configuration.
 *
 * @param mode no-model, per-event or batched
 * @param hidden H
 * @param batch the batch size (1 for per-event, 0 for no-model)
 * @param backend heap or rocksdb
 * @param eventsPerSecond peak throughput
 * @param p50Millis median event→output latency at half the peak load
 * @param p99Millis 99th percentile of the same
 */
record BenchResult(
        String mode,
        int hidden,
        int batch,
        String backend,
        double eventsPerSecond,
        double p50Millis,
        double p99Millis) {}
