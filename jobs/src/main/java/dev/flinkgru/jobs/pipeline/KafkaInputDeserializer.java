package dev.flinkgru.jobs.pipeline;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Keeps each record's value and coordinates and parses it ({@link ParseEvents#parse}), so that the
 * source's watermarks come from each partition's event times; never fails: a bad record is marked
 * with its problem and becomes a dead letter downstream instead of a failed job. A value that is
 * not valid UTF-8 is marked ({@link KafkaInput#encodingProblem}) and never parsed.
 */
public final class KafkaInputDeserializer implements KafkaRecordDeserializationSchema<KafkaInput> {

    private static final long serialVersionUID = 1L;

    private final EventParser parser;
    private final EventChecks checks;

    /**
     * @param parser the job's codec
     * @param checks what every event must satisfy
     */
    KafkaInputDeserializer(EventParser parser, EventChecks checks) {
        this.parser = parser;
        this.checks = checks;
    }

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
        ParseEvents.parse(input, parser, checks);
        out.collect(input);
    }

    @Override
    public TypeInformation<KafkaInput> getProducedType() {
        return TypeInformation.of(KafkaInput.class);
    }
}
