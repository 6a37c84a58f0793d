/**
 * {@code flink-gru replay}: a CSV of events through the real operator in a local MiniCluster; bad
 * rows refused with a reason; a run can stop in a savepoint after N rows and a later run resume
 * from it ({@link dev.flinkgru.tools.io.ReplaySavepoint}).
 */
package dev.flinkgru.tools.replay;
