package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KeyedJsonRecordsTest {

    private static final long SIX_YEARS_AGO = 1_575_000_000_000L;
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    @Test
    void processingTimeLeavesTheTimestampToTheProducer() {
        ProducerRecord<byte[], byte[]> record =
                new KeyedJsonRecords("out", KafkaJobOptions.OutputTimestamp.PROCESSING_TIME)
                        .serialize(
                                new KeyedJson("s-1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                                null,
                                SIX_YEARS_AGO);
        assertThat(record.timestamp()).as("stamped by the producer when sent").isNull();
        assertThat(record.topic()).isEqualTo("out");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("s-1");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void eventTimeStampsTheEventsTime() {
        KeyedJsonRecords records =
                new KeyedJsonRecords("out", KafkaJobOptions.OutputTimestamp.EVENT_TIME);
        assertThat(records.serialize(new KeyedJson("s-1", EMPTY), null, SIX_YEARS_AGO).timestamp())
                .isEqualTo(SIX_YEARS_AGO);
        assertThat(records.serialize(new KeyedJson(null, EMPTY), null, null).timestamp()).isNull();
        assertThat(records.serialize(new KeyedJson(null, EMPTY), null, null).key()).isNull();
    }

    @Test
    void exposesItsTopicForThePoolingTransactionNaming() {
        assertThat(
                        new KeyedJsonRecords("out", KafkaJobOptions.OutputTimestamp.PROCESSING_TIME)
                                .getKafkaDatasetFacet()
                                .orElseThrow()
                                .getTopicIdentifier()
                                .getTopics())
                .containsExactly("out");
    }
}
