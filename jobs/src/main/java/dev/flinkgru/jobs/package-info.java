/**
 * The deployable Kafka jobs ({@code pipeline}, {@code sensor}, {@code recommend}) and {@link
 * dev.flinkgru.jobs.EngineCheck}, which the container images run once at build time to unpack and
 * start the PyTorch engine (on a GPU host: {@code --require-gpu}).
 */
package dev.flinkgru.jobs;
