package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruEvent;

/** One Kafka record as read: its value as text, and where it came from. */
public class KafkaInput {

    /** The record value, UTF-8 decoded (empty for a null value; U+FFFD for bytes that are not). */
    public String raw;

    public String topic;
    public int partition;
    public long offset;

    /** The value's length in bytes, as it was on the topic. */
    public int rawBytes;

    /** Why the value is not valid UTF-8, or null if it is. */
    public String encodingProblem;

    /**
     * The event parsed from the value (its {@code origin} the value), once {@link
     * ParseEvents#parse} ran and accepted it; else null.
     */
    public GruEvent event;

    /** Why the record is refused (not UTF-8, unparseable, failed a check), or null. */
    public String problem;

    /** For Flink's POJO serializer. */
    public KafkaInput() {}

    public KafkaInput(String raw, String topic, int partition, long offset) {
        this.raw = raw;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.rawBytes = Utf8.length(raw);
    }

    /** A unique id of the record within its topic: partition in the top 16 bits, then offset. */
    public long eventId() {
        return ((long) partition << 48) | offset;
    }

    /** The partition of an {@link #eventId()}. */
    public static int partitionOf(long eventId) {
        return (int) (eventId >>> 48);
    }

    /** The offset of an {@link #eventId()}. */
    public static long offsetOf(long eventId) {
        return eventId & 0xFFFF_FFFF_FFFFL;
    }
}
