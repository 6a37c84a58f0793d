/**
 * {@code flink-gru state export|inspect|bootstrap}: the GRU operator's hidden states in savepoints,
 * read and written with Flink's State Processor API.
 */
package dev.flinkgru.tools.state;
