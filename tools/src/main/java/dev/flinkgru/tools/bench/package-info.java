/**
 * {@code flink-gru bench}: the operator's throughput and latency against Flink's own keyed-state
 * ceiling (no model) and against one predictor call per event.
 */
package dev.flinkgru.tools.bench;
