package dev.flinkgru.jobs.pipeline;

/** One output record: its Kafka key (the event's key, for partitioning) and JSON value. */
public class KeyedJson {

    /** The record key, or null for none. */
    public String key;

    /** The record value: JSON, as UTF-8. */
    public byte[] json;

    /** For Flink's POJO serializer. */
    public KeyedJson() {}

    public KeyedJson(String key, byte[] json) {
        this.key = key;
        this.json = json;
    }
}
