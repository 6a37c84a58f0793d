/** {@code flink-gru kafka start|stop|status}: the local broker of {@code testing}'s LocalKafka. */
package dev.flinkgru.tools.kafka;
