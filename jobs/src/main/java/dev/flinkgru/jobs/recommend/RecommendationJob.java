package dev.flinkgru.jobs.recommend;

import dev.flinkgru.jobs.pipeline.JobLauncher;
import dev.flinkgru.jobs.pipeline.KafkaJobOptions;
import dev.flinkgru.operator.EventOrder;
import dev.flinkgru.operator.GruOptions;
import java.util.Map;

/**
 * Per-user recommendation updates: item events from Kafka, keyed by user, through the GRU operator
 * whose model embeds item ids and returns its top K, to Kafka, exactly once.
 */
public final class RecommendationJob {

    /** Embedded defaults: the local broker and the demo's trained model. */
    public static final Map<String, String> DEFAULTS =
            Map.ofEntries(
                    Map.entry(KafkaJobOptions.INPUT_TOPIC.key(), "user-events"),
                    Map.entry(KafkaJobOptions.OUTPUT_TOPIC.key(), "user-recommendations"),
                    Map.entry(KafkaJobOptions.DEAD_LETTER_TOPIC.key(), "user-dead-letters"),
                    Map.entry(KafkaJobOptions.GROUP_ID.key(), "flink-gru-recommendation"),
                    Map.entry(
                            KafkaJobOptions.TRANSACTIONAL_ID_PREFIX.key(),
                            "flink-gru-recommendation"),
                    Map.entry(KafkaJobOptions.MODEL_FEATURES.key(), "1"),
                    // A topic cannot be assumed to be partitioned by the job's key.
                    Map.entry(GruOptions.ORDER.key(), EventOrder.EVENT_TIME.name()),
                    Map.entry("gru.model.path", "models/recommendation/model.pt"),
                    Map.entry("gru.model.hidden-size", "64"),
                    Map.entry("gru.model.layers", "1"));

    private RecommendationJob() {}

    public static void main(String[] args) throws Exception {
        JobLauncher.run(
                "flink-gru recommendation",
                DEFAULTS,
                args,
                config ->
                        new RecommendationCodec(
                                config.get(RecommendationOptions.ITEMS),
                                config.get(RecommendationOptions.TOP_K)),
                RecommendationOptions.class);
    }
}
