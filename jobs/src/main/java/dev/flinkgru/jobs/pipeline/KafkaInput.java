package dev.flinkgru.jobs.pipeline;

/** One Kafka record as read: its value as text, and where it came from. */
public class KafkaInput {

    /** The record value, UTF-8 decoded (empty for a null value). */
    public String raw;

    public String topic;
    public int partition;
    public long offset;

    /** For Flink's POJO serializer. */
    public KafkaInput() {}

    public KafkaInput(String raw, String topic, int partition, long offset) {
        this.raw = raw;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    /** A unique id of the record within its topic: partition in the top 16 bits, then offset. */
    public long eventId() {
        return ((long) partition << 48) | offset;
    }
}
