package dev.flinkgru.jobs.pipeline;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Keeps each record's value and coordinates, and never fails: parsing happens downstream, where a
 * bad record becomes a dead letter instead of a failed job.
 */
public final class KafkaInputDeserializer implements KafkaRecordDeserializationSchema<KafkaInput> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaInput> out) {
        String raw =
                record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        out.collect(new KafkaInput(raw, record.topic(), record.partition(), record.offset()));
    }

    @Override
    public TypeInformation<KafkaInput> getProducedType() {
        return TypeInformation.of(KafkaInput.class);
    }
}
