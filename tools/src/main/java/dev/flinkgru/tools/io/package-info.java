/**
 * The files the commands read and write: the events CSV ({@link dev.flinkgru.tools.io.ReplayInput},
 * {@link dev.flinkgru.tools.io.CsvLine}), the rejects file and the manifest of a flink-gru
 * savepoint directory ({@link dev.flinkgru.tools.io.ReplaySavepoint}). It imports no command
 * package.
 */
package dev.flinkgru.tools.io;
