package dev.flinkgru.jobs.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A refused input record, written to the dead-letter topic as {@code {"error":"<reason>",
 * "raw":"<original>","raw_bytes":n,"raw_truncated":false,"topic":..,"partition":..,"offset":..}}.
 * {@code raw} is the record as it came, cut to a bounded length (then {@code raw_truncated} is
 * true); {@code raw_bytes} is always the record's full length in bytes.
 */
public class DeadLetter {

    /** The longest reason a dead letter carries, in characters. */
    static final int MAX_ERROR_CHARS = 1024;

    public String error;
    public String raw;
    public int rawBytes;
    public boolean rawTruncated;
    public String topic;
    public int partition;
    public long offset;

    /** For Flink's POJO serializer. */
    public DeadLetter() {}

    /**
     * The dead letter of a record.
     *
     * @param error why it was refused
     * @param raw the record's value as text
     * @param rawBytes the value's length in bytes
     * @param topic the topic it was read from
     * @param partition its partition
     * @param offset its offset
     * @param maxRawBytes the most UTF-8 bytes {@code raw} may take in the dead letter's JSON
     */
    public static DeadLetter of(
            String error,
            String raw,
            int rawBytes,
            String topic,
            int partition,
            long offset,
            int maxRawBytes) {
        DeadLetter letter = new DeadLetter();
        letter.error =
                error.length() <= MAX_ERROR_CHARS
                        ? error
                        : error.substring(0, MAX_ERROR_CHARS - 3) + "...";
        letter.raw = Utf8.jsonPrefix(raw, maxRawBytes);
        letter.rawTruncated = letter.raw.length() < raw.length();
        letter.rawBytes = rawBytes;
        letter.topic = topic;
        letter.partition = partition;
        letter.offset = offset;
        return letter;
    }

    /** The dead letter of {@code input}. */
    public static DeadLetter of(String error, KafkaInput input, int maxRawBytes) {
        return of(
                error,
                input.raw,
                input.rawBytes,
                input.topic,
                input.partition,
                input.offset,
                maxRawBytes);
    }

    /** The dead-letter topic's JSON. */
    public String toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("error", error);
        node.put("raw", raw);
        node.put("raw_bytes", rawBytes);
        node.put("raw_truncated", rawTruncated);
        node.put("topic", topic);
        node.put("partition", partition);
        node.put("offset", offset);
        return node.toString();
    }
}
