/**
 * A local single-node Kafka broker (KRaft) in a JVM of its own, for tests, the demo and the {@code
 * flink-gru kafka} command: {@link dev.flinkgru.testing.kafka.LocalKafka} starts and stops it,
 * {@link dev.flinkgru.testing.kafka.LocalKafkaExtension} gives an ITCase one, and {@link
 * dev.flinkgru.testing.kafka.KafkaTestIO} produces and reads back as a job's users would.
 *
 * <p>The broker's classpath ({@code kafka_2.13} and its dependencies) comes from the {@code
 * kafka-broker} module's {@code target/broker.classpath} and is never on a job's classpath.
 */
package dev.flinkgru.testing.kafka;
