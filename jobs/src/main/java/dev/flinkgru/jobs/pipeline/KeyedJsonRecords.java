package dev.flinkgru.jobs.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@link KeyedJson} to one topic: the key as UTF-8, the value's bytes as they are, and the
 * record timestamp of {@link KafkaJobOptions#OUTPUT_TIMESTAMP}. With {@code PROCESSING_TIME} the
 * record carries no timestamp and the producer stamps it with the time it is sent, so the broker's
 * time-based retention counts from when the prediction was made, not from when its event happened.
 */
final class KeyedJsonRecords
        implements KafkaRecordSerializationSchema<KeyedJson>, KafkaDatasetFacetProvider {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final KafkaJobOptions.OutputTimestamp timestamp;

    KeyedJsonRecords(String topic, KafkaJobOptions.OutputTimestamp timestamp) {
        this.topic = topic;
        this.timestamp = timestamp;
    }

    /** The topic written, which the sink's POOLING transaction naming needs to know. */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(
                new DefaultKafkaDatasetFacet(
                        DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            KeyedJson element, KafkaSinkContext context, Long eventTime) {
        Long recordTime =
                timestamp == KafkaJobOptions.OutputTimestamp.EVENT_TIME
                                && eventTime != null
                                && eventTime >= 0
                        ? eventTime
                        : null;
        byte[] key = element.key == null ? null : element.key.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, recordTime, key, element.json);
    }
}
