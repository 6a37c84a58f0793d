package dev.flinkgru.jobs.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.testing.KafkaJobFixture;
import dev.flinkgru.jobs.testing.KafkaJobFixture.Feed;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.kafka.KafkaTestIO;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * A catalogue that has grown past the model: rec.items (1000) lets item 250 through parsing,
     * and the embedding of recommender-strict (200 items, ids not clamped) throws on it at run
     * time, in torch and in ONNX Runtime. That event alone is refused with the model's message and
     * its record; every other event, before and after it, still gets torch's top-K, and the job
     * neither fails nor restarts (restart strategy none).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"model.pt", "model.onnx"})
    void anItemTheModelFailsOnIsOneDeadLetterAndEveryOtherEventProceeds(String file)
            throws Exception {
        TorchFixture fixture = TorchFixture.load("recommender-strict");
        int k = fixture.topK;
        KafkaJobFixture job =
                KafkaJobFixture.create(KAFKA, "grown-" + file.substring(file.indexOf('.') + 1));
        Configuration config =
                job.recommendationJob()
                        .model(fixture, fixture.dir.resolve(file))
                        .with(
                                "--kafka.bounded", "true",
                                "--job.parallelism", "2",
                                "--job.checkpoint-interval", "300ms",
                                // Records keyed by user, years-old and live users mixed: event
                                // time would call the old ones late.
                                "--gru.order", "ARRIVAL",
                                "--gru.batch.max-size", "8",
                                "--rec.items", "1000",
                                "--rec.top-k", Integer.toString(k))
                        .configuration();
        config.setString("restart-strategy.type", "none");

        // The new item goes right after the last event of the user whose events end nearest the
        // middle of the stream: no later output of that user depends on the refused step, and
        // the other users' events go on after it.
        Feed feed = KafkaJobFixture.userEvents(fixture.eventsAt(System.currentTimeMillis()));
        Map<String, Integer> lastOf = new HashMap<>();
        for (int i = 0; i < feed.events.size(); i++) {
            lastOf.put(feed.events.get(i).key, i);
        }
        int middle = feed.events.size() / 2;
        int last =
                lastOf.values().stream()
                        .min(Comparator.comparingInt(i -> Math.abs(i - middle)))
                        .orElseThrow();
        GruEvent before = feed.events.get(last);
        String newItem =
                String.format(
                        "{\"user\":%s,\"item\":250,\"ts\":%d}",
                        JSON.writeValueAsString(before.key), before.timestamp + 1);
        List<String[]> records = new ArrayList<>(feed.records);
        records.add(last + 1, new String[] {before.key, newItem});
        job.produce(records);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        GruKafkaPipeline.build(
                env, config, new RecommendationCodec(config.get(RecommendationOptions.ITEMS), k));
        env.execute("recommendation, grown catalogue"); // throws if the job failed

        Map<Long, float[]> expected = fixture.expected();
        Map<Long, JsonNode> bySeq = new HashMap<>();
        for (ConsumerRecord<String, String> record : job.output()) {
            JsonNode rec = JSON.readTree(record.value());
            Long seq = feed.seqOf(rec.get("user").asText(), rec.get("ts").asLong());
            assertThat(seq).as("the event of %s", record.value()).isNotNull();
            assertThat(bySeq.put(seq, rec)).as("a second output of seq %d", seq).isNull();
        }
        assertThat(bySeq.keySet()).as("one output per valid event").isEqualTo(expected.keySet());
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

        List<ConsumerRecord<String, String>> sentAs =
                KafkaTestIO.readCommitted(job.servers(), job.inputTopic()).stream()
                        .filter(r -> r.value().equals(newItem))
                        .toList();
        assertThat(sentAs).as("the new item's record in the input topic").hasSize(1);
        ConsumerRecord<String, String> sent = sentAs.get(0);
        List<JsonNode> letters = new ArrayList<>();
        for (ConsumerRecord<String, String> letter : job.deadLetters()) {
            letters.add(JSON.readTree(letter.value()));
        }
        assertThat(letters).hasSize(1);
        JsonNode letter = letters.get(0);
        assertThat(letter.get("error").asText()).startsWith("the model failed on this event: ");
        assertThat(letter.get("raw").asText()).isEqualTo(newItem);
        assertThat(letter.get("raw_truncated").asBoolean()).isFalse();
        assertThat(letter.get("raw_bytes").asInt())
                .isEqualTo(newItem.getBytes(StandardCharsets.UTF_8).length);
        assertThat(letter.get("topic").asText()).isEqualTo(job.inputTopic());
        assertThat(letter.get("partition").asInt()).isEqualTo(sent.partition());
        assertThat(letter.get("offset").asLong()).isEqualTo(sent.offset());
        System.out.printf(
                "%s: %d outputs equal torch's, one dead letter: %s%n",
                file, bySeq.size(), letter.get("error").asText());
    }

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
                                // Records keyed by user, years-old and live users mixed: event
                                // time would call the old ones late.
                                "--gru.order", "ARRIVAL",
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
