/** {@code flink-gru replay}: a CSV of events through the real operator in a local MiniCluster. */
package dev.flinkgru.jobs.replay;
