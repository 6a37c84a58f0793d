package dev.flinkgru.jobs.pipeline;

/** One output record: its Kafka key (the event's key, for partitioning) and JSON value. */
public class KeyedJson {

    /** The record key, or null for none. */
    public String key;

    /** The record value. */
    public String json;

    /** For Flink's POJO serializer. */
    public KeyedJson() {}

    public KeyedJson(String key, String json) {
        this.key = key;
        this.json = json;
    }
}
