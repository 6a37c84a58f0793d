package dev.flinkgru.jobs.sensor;

import dev.flinkgru.jobs.pipeline.JobLauncher;
import dev.flinkgru.jobs.pipeline.KafkaJobOptions;
import dev.flinkgru.operator.EventOrder;
import dev.flinkgru.operator.GruOptions;
import java.util.Map;

/**
 * Real-time sensor forecasting: readings from Kafka, keyed by sensor, through the GRU operator,
 * forecasts of the next reading to Kafka, exactly once. Options: {@code --help}.
 */
public final class SensorForecastJob {

    /** Embedded defaults: the local broker and the demo's trained model. */
    public static final Map<String, String> DEFAULTS =
            Map.ofEntries(
                    Map.entry(KafkaJobOptions.INPUT_TOPIC.key(), "sensor-readings"),
                    Map.entry(KafkaJobOptions.OUTPUT_TOPIC.key(), "sensor-forecasts"),
                    Map.entry(KafkaJobOptions.DEAD_LETTER_TOPIC.key(), "sensor-dead-letters"),
                    Map.entry(KafkaJobOptions.GROUP_ID.key(), "flink-gru-sensor"),
                    Map.entry(KafkaJobOptions.TRANSACTIONAL_ID_PREFIX.key(), "flink-gru-sensor"),
                    Map.entry(KafkaJobOptions.MODEL_FEATURES.key(), "4"),
                    // A topic cannot be assumed to be partitioned by the job's key.
                    Map.entry(GruOptions.ORDER.key(), EventOrder.EVENT_TIME.name()),
                    Map.entry("gru.model.path", "models/sensor/model.pt"),
                    Map.entry("gru.model.hidden-size", "32"),
                    Map.entry("gru.model.layers", "1"));

    private SensorForecastJob() {}

    public static void main(String[] args) throws Exception {
        JobLauncher.run(
                "flink-gru sensor forecast",
                DEFAULTS,
                args,
                config -> new SensorCodec(config.get(KafkaJobOptions.MODEL_FEATURES)));
    }
}
