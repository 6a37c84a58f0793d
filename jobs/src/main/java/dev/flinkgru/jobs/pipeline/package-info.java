/**
 * The Kafka-to-Kafka pipeline shared by the flagship jobs: options, parsing with dead letters, the
 * GRU operator, and exactly-once sinks.
 */
package dev.flinkgru.jobs.pipeline;
