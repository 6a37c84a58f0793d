package dev.flinkgru.jobs.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.testing.KafkaJobFixture;
import dev.flinkgru.jobs.testing.KafkaJobFixture.Feed;
import dev.flinkgru.operator.testing.EventTimes;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.kafka.KafkaTestIO;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backfill: sensor readings stamped six years ago run through the sensor job. The broker runs its
 * time-based retention every second (7 days, the default); after it has passed over the output
 * topic, every forecast is still there from the beginning of the topic, stamped with the time it
 * was produced, not its event's.
 */
class SensorBackfillITCase {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension().withPartitions(2);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TorchFixture TINY = TorchFixture.load("tiny");

    @Test
    void historyYearsOldKeepsEveryForecastThroughTheBrokersRetention() throws Exception {
        KafkaJobFixture job = KafkaJobFixture.create(KAFKA, "backfill");
        KAFKA.createTopics(1, "backfill-canary");
        Configuration config =
                job.sensorJob()
                        .model(TINY)
                        .with(
                                "--kafka.bounded", "true",
                                "--job.parallelism", "2",
                                "--job.checkpoint-interval", "300ms")
                        .configuration();
        long historyStart = System.currentTimeMillis() - EventTimes.BACKFILL.toMillis();
        Feed feed =
                KafkaJobFixture.readings(
                        KafkaJobFixture.timed(TINY.events(), seq -> historyStart + seq * 60_000));
        job.produce(feed.records);

        long jobStart = System.currentTimeMillis();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        GruKafkaPipeline.build(env, config, new SensorCodec(3));
        env.execute("sensor backfill");
        long jobEnd = System.currentTimeMillis();

        KafkaTestIO.awaitRetentionPasses(KAFKA.bootstrapServers(), "backfill-canary");

        Map<Long, float[]> expected = TINY.expected();
        Map<Long, float[]> forecasts = new HashMap<>();
        for (ConsumerRecord<String, String> record :
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), "backfill-out")) {
            assertThat(record.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
            assertThat(record.timestamp())
                    .as("Kafka timestamp of %s: when it was produced", record.value())
                    .isBetween(jobStart, jobEnd);
            JsonNode node = JSON.readTree(record.value());
            Long seq = feed.seqOf(node.get("sensor").asText(), node.get("ts").asLong());
            assertThat(seq).as("the reading of %s", record.value()).isNotNull();
            JsonNode values = node.get("forecast");
            float[] forecast = new float[values.size()];
            for (int i = 0; i < forecast.length; i++) {
                forecast[i] = (float) values.get(i).asDouble();
            }
            assertThat(forecasts.put(seq, forecast)).as("forecasts of seq %d", seq).isNull();
        }
        assertThat(forecasts.keySet())
                .as("a forecast for every reading, after the retention passes")
                .isEqualTo(expected.keySet());
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            Tolerance.assertClose(
                    "forecast of seq " + e.getKey(),
                    forecasts.get(e.getKey()),
                    e.getValue(),
                    TINY.outputs);
        }
    }
}
