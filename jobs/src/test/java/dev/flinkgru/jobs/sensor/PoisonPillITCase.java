package dev.flinkgru.jobs.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poison pills among valid readings, each sent once: every one ends as one dead letter carrying the
 * record as it came (cut where it is huge, its full length kept) and its coordinates, every valid
 * reading gets torch's forecast, and the job neither fails nor restarts (restart strategy none).
 * The forecasts carry their event time as Kafka timestamp (EVENT_TIME), so a record the broker
 * would refuse must never reach the transactional sink.
 */
class PoisonPillITCase {

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

    /**
     * The key whose last reading the test turns into NaN features just before the operator (its
     * last, so that no later forecast of the key depends on the refused step).
     */
    private static final String NAN_KEY = "k007";

    /** A poison pill: its bytes and the start of the reason its dead letter must give. */
    private record Pill(String key, byte[] value, String reason) {}

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Makes one chosen reading's features NaN: the operator must refuse it. */
    static final class PoisonOneReading implements MapFunction<GruEvent, GruEvent> {
        private static final long serialVersionUID = 1L;
        private final String id;

        PoisonOneReading(String id) {
            this.id = id;
        }

        @Override
        public GruEvent map(GruEvent event) {
            if ((event.key + "@" + event.timestamp).equals(id)) {
                event.features = new float[] {Float.NaN, 0f, 0f};
            }
            return event;
        }
    }

    @Test
    void eachPoisonPillEndsAsOneDeadLetterAndTheJobGoesOn() throws Exception {
        Configuration config =
                KafkaJobFixture.create(KAFKA, "pill")
                        .sensorJob()
                        .model(TINY)
                        .with(
                                "--kafka.bounded", "true",
                                "--kafka.output-timestamp", "EVENT_TIME",
                                "--job.parallelism", "2",
                                "--job.checkpoint-interval", "300ms",
                                "--gru.batch.max-size", "16")
                        .configuration();
        config.setString("restart-strategy.type", "none");

        // Live readings up to now: with EVENT_TIME they must stay within the topic's retention.
        long now = System.currentTimeMillis();
        List<GruEvent> events = TINY.events();
        Feed feed =
                KafkaJobFixture.readings(
                        KafkaJobFixture.timed(
                                events, seq -> now - (events.size() - 1 - seq) * 1_000));
        List<byte[][]> records = new ArrayList<>();
        for (String[] record : feed.records) {
            records.add(new byte[][] {utf8(record[0]), utf8(record[1])});
        }
        GruEvent last = null;
        for (GruEvent e : feed.events) {
            if (e.key.equals(NAN_KEY)) {
                last = e; // ends as the key's last reading
            }
        }
        String nanReading = Feed.id(last.key, last.timestamp);
        byte[] notUtf8 = new byte[300_000];
        Arrays.fill(notUtf8, (byte) 0xff);
        List<Pill> pills =
                List.of(
                        new Pill(
                                "k001",
                                utf8(
                                        "{\"sensor\":\"k001\",\"ts\":32503680000000,\"values\":[1,2,3]}"),
                                "ts 32503680000000 (3000-01-01T00:00:00Z) is "),
                        new Pill(
                                "k002",
                                utf8(
                                        "{\"sensor\":\"k002\",\"ts\":1,\"values\":\""
                                                + "\"".repeat(900_000)),
                                "malformed JSON"),
                        new Pill(
                                "k003",
                                notUtf8,
                                "the record is not valid UTF-8: byte 0xff at offset 0"),
                        new Pill(
                                "long",
                                utf8(
                                        "{\"sensor\":\""
                                                + "s".repeat(2_000)
                                                + "\",\"ts\":"
                                                + now
                                                + ",\"values\":[1,2,3]}"),
                                "the key is 2000 bytes long, more than job.key.max-bytes = 1024"),
                        new Pill(
                                "surrogate",
                                utf8(
                                        "{\"sensor\":\"k004\\ud800\",\"ts\":"
                                                + now
                                                + ",\"values\":[1,2,3]}"),
                                "the key is not valid Unicode: a lone surrogate U+D800 at index 4"),
                        new Pill(
                                "empty",
                                utf8("{\"sensor\":\"\",\"ts\":" + now + ",\"values\":[1,2,3]}"),
                                "'sensor' is empty"));
        List<byte[][]> all = new ArrayList<>(records);
        for (int i = 0; i < pills.size(); i++) {
            all.add(100 + 100 * i, new byte[][] {utf8(pills.get(i).key()), pills.get(i).value()});
        }
        Map<String, RecordMetadata> sent = produce(all);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        String poisoned = nanReading;
        GruKafkaPipeline.build(
                env, config, new SensorCodec(3), s -> s.map(new PoisonOneReading(poisoned)));
        env.execute("poison pills"); // throws if the job failed: no restarts are allowed

        // Every valid reading but the poisoned one has torch's forecast, stamped with its ts.
        Map<Long, float[]> expected = TINY.expected();
        Map<Long, float[]> forecasts = new HashMap<>();
        for (ConsumerRecord<String, String> r :
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), "pill-out")) {
            JsonNode node = JSON.readTree(r.value());
            Long seq = feed.seqOf(node.get("sensor").asText(), node.get("ts").asLong());
            assertThat(seq).as("the reading of %s", r.value()).isNotNull();
            assertThat(r.timestamp()).isEqualTo(node.get("ts").asLong());
            float[] y = new float[TINY.outputs];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) node.get("forecast").get(i).asDouble();
            }
            assertThat(forecasts.put(seq, y)).isNull();
        }
        Long poisonedSeq = feed.seqs().get(poisoned);
        assertThat(forecasts.keySet())
                .as("a forecast for every valid reading but the one made NaN")
                .hasSize(events.size() - 1)
                .doesNotContain(poisonedSeq);
        forecasts.forEach(
                (seq, y) ->
                        Tolerance.assertClose("seq " + seq, y, expected.get(seq), TINY.outputs));

        // One dead letter per pill and one for the refused event, each with its record.
        List<JsonNode> letters = new ArrayList<>();
        for (ConsumerRecord<String, String> r :
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), "pill-dlq")) {
            letters.add(JSON.readTree(r.value()));
        }
        assertThat(letters).hasSize(pills.size() + 1);
        for (Pill pill : pills) {
            RecordMetadata where = sent.get(new String(pill.value(), StandardCharsets.ISO_8859_1));
            JsonNode letter = letterAt(letters, where);
            assertThat(letter.get("error").asText()).startsWith(pill.reason());
            assertThat(letter.get("raw_bytes").asInt()).isEqualTo(pill.value().length);
            assertThat(letter.get("topic").asText()).isEqualTo("pill-in");
            String original = new String(pill.value(), StandardCharsets.UTF_8);
            String raw = letter.get("raw").asText();
            if (letter.get("raw_truncated").asBoolean()) {
                assertThat(original).startsWith(raw);
                assertThat(raw.length()).isLessThan(original.length());
            } else {
                assertThat(raw).isEqualTo(original);
            }
        }
        JsonNode refused =
                letters.stream()
                        .filter(l -> l.get("error").asText().equals("feature x0 is NaN"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no dead letter of the NaN event"));
        byte[] poisonedRecord = records.get((int) (long) poisonedSeq)[1];
        assertThat(refused.get("raw").asText())
                .isEqualTo(new String(poisonedRecord, StandardCharsets.UTF_8));
        assertThat(refused.get("raw_truncated").asBoolean()).isFalse();
        RecordMetadata where = sent.get(new String(poisonedRecord, StandardCharsets.ISO_8859_1));
        assertThat(refused.get("partition").asInt()).isEqualTo(where.partition());
        assertThat(refused.get("offset").asLong()).isEqualTo(where.offset());
    }

    @Test
    void eventTimeOutputWillNotStartIfTheTopicWouldRefuseWhatTheJobLetsThrough() {
        Configuration config =
                KafkaJobFixture.create(KAFKA, "wide")
                        .sensorJob()
                        .model(TINY)
                        .with(
                                "--kafka.output-timestamp", "EVENT_TIME",
                                "--job.event-time.max-ahead", "2h")
                        .configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        assertThatThrownBy(() -> GruKafkaPipeline.build(env, config, new SensorCodec(3)))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("output topic 'wide-out'")
                .hasMessageContaining("job.event-time.max-ahead = 2 h")
                .hasMessageContaining("more than 1 h ahead (message.timestamp.after.max.ms)");
    }

    private static JsonNode letterAt(List<JsonNode> letters, RecordMetadata where) {
        return letters.stream()
                .filter(
                        l ->
                                l.get("partition").asInt() == where.partition()
                                        && l.get("offset").asLong() == where.offset())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter at " + where));
    }

    /** Produces {@code records} (key, value bytes); where each went, by its value's bytes. */
    private static Map<String, RecordMetadata> produce(List<byte[][]> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        Map<String, RecordMetadata> sent = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
            for (byte[][] r : records) {
                futures.add(producer.send(new ProducerRecord<>("pill-in", r[0], r[1])));
            }
            for (int i = 0; i < records.size(); i++) {
                sent.put(
                        new String(records.get(i)[1], StandardCharsets.ISO_8859_1),
                        futures.get(i).get());
            }
        }
        return sent;
    }
}
