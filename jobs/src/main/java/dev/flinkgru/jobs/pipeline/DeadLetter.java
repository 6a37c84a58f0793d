package dev.flinkgru.jobs.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A refused input record, written to the dead-letter topic as {@code
 * {"error":"<reason>","raw":"<original>","topic":..,"partition":..,"offset":..}}.
 */
public class DeadLetter {

    public String error;
    public String raw;
    public String topic;
    public int partition;
    public long offset;

    /** For Flink's POJO serializer. */
    public DeadLetter() {}

    public DeadLetter(String error, KafkaInput input) {
        this.error = error;
        this.raw = input.raw;
        this.topic = input.topic;
        this.partition = input.partition;
        this.offset = input.offset;
    }

    /** The dead-letter topic's JSON. */
    public String toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("error", error);
        node.put("raw", raw);
        node.put("topic", topic);
        node.put("partition", partition);
        node.put("offset", offset);
        return node.toString();
    }
}
