package dev.flinkgru.jobs.pipeline;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Keeps each record's value and coordinates, and never fails: parsing happens downstream, where a
 * bad record becomes a dead letter instead of a failed job. A value that is not valid UTF-8 is
 * marked ({@link KafkaInput#encodingProblem}) and dead-lettered downstream.
 */
public final class KafkaInputDeserializer implements KafkaRecordDeserializationSchema<KafkaInput> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaInput> out) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        String raw = Utf8.decodeStrict(value);
        KafkaInput input;
        if (raw != null) {
            input = new KafkaInput(raw, record.topic(), record.partition(), record.offset());
        } else {
            // Kept for the dead letter only: decoded leniently, two different invalid records
            // could read the same, so such a record never becomes an event.
            input =
                    new KafkaInput(
                            new String(value, StandardCharsets.UTF_8),
                            record.topic(),
                            record.partition(),
                            record.offset());
            input.encodingProblem = Utf8.whyInvalid(value);
        }
        input.rawBytes = value.length;
        out.collect(input);
    }

    @Override
    public TypeInformation<KafkaInput> getProducedType() {
        return TypeInformation.of(KafkaInput.class);
    }
}
