package dev.flinkgru.jobs.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.testing.KafkaJobFixture;
import dev.flinkgru.jobs.testing.KafkaJobFixture.Feed;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.kafka.KafkaTestIO;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RecommendationJob end to end with the trained recommendation model: each event's top-10 ids
 * (computed inside the model) and scores equal what torch gave over the user's whole sequence.
 */
class RecommendationJobITCase {

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

    @Test
    void topKEqualsTorchAndOutOfRangeItemsBecomeDeadLetters() throws Exception {
        TorchFixture fixture = TorchFixture.load("recommendation");
        int k = fixture.outputs / 2;
        Configuration config =
                KafkaJobFixture.create(KAFKA, "rec")
                        .recommendationJob()
                        .model(fixture)
                        .with(
                                "--kafka.bounded", "true",
                                "--job.parallelism", "2",
                                "--job.checkpoint-interval", "300ms",
                                "--gru.batch.max-size", "8",
                                "--rec.top-k", Integer.toString(k))
                        .configuration();

        Feed feed = KafkaJobFixture.userEvents(fixture.eventsAt(System.currentTimeMillis()));
        List<String[]> records = new ArrayList<>(feed.records);
        records.add(50, new String[] {"u-1", "{\"user\":\"u-1\",\"item\":1000,\"ts\":5}"});
        records.add(60, new String[] {"u-2", "{\"user\":\"u-2\",\"item\":-1,\"ts\":5}"});
        records.add(70, new String[] {"u-3", "{\"user\":\"u-3\",\"item\":2.5,\"ts\":5}"});
        records.add(80, new String[] {"u-4", "{\"item\":3,\"ts\":5}"});
        KafkaTestIO.produce(KAFKA.bootstrapServers(), "rec-in", records);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        GruKafkaPipeline.build(
                env, config, new RecommendationCodec(config.get(RecommendationOptions.ITEMS), k));
        env.execute("recommendation e2e");

        Map<Long, float[]> expected = fixture.expected();
        Map<Long, JsonNode> bySeq = new HashMap<>();
        for (ConsumerRecord<String, String> record :
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), "rec-out")) {
            JsonNode rec = JSON.readTree(record.value());
            Long seq = feed.seqOf(rec.get("user").asText(), rec.get("ts").asLong());
            assertThat(seq).as("the event of %s", record.value()).isNotNull();
            assertThat(bySeq.put(seq, rec)).isNull();
        }
        assertThat(bySeq.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            JsonNode rec = bySeq.get(e.getKey());
            float[] want = e.getValue();
            float[] scores = new float[k];
            for (int i = 0; i < k; i++) {
                assertThat(rec.get("items").get(i).asInt())
                        .as("item %d of seq %d", i, e.getKey())
                        .isEqualTo((int) want[i]);
                scores[i] = (float) rec.get("scores").get(i).asDouble();
            }
            float[] wantScores = new float[k];
            System.arraycopy(want, k, wantScores, 0, k);
            Tolerance.assertClose("scores of seq " + e.getKey(), scores, wantScores, k);
        }

        List<String> errors = new ArrayList<>();
        for (ConsumerRecord<String, String> letter :
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), "rec-dlq")) {
            errors.add(JSON.readTree(letter.value()).get("error").asText());
        }
        assertThat(errors)
                .containsExactlyInAnyOrder(
                        "item id 1000 outside the model's range [0, 1000)",
                        "item id -1 outside the model's range [0, 1000)",
                        "'item' must be an integer",
                        "missing 'user'");
    }
}
