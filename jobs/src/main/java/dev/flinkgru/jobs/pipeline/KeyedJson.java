package dev.flinkgru.jobs.pipeline;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;

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

    /** Writes the key as UTF-8 (null stays null). */
    static final class KeySchema implements SerializationSchema<KeyedJson> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(KeyedJson element) {
            return element.key == null ? null : element.key.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Writes the JSON value as UTF-8. */
    static final class ValueSchema implements SerializationSchema<KeyedJson> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(KeyedJson element) {
            return element.json.getBytes(StandardCharsets.UTF_8);
        }
    }
}
