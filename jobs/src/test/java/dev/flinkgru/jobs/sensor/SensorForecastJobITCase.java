package dev.flinkgru.jobs.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.testing.KafkaJobFixture;
import dev.flinkgru.jobs.testing.KafkaJobFixture.Feed;
import dev.flinkgru.jobs.testing.MalformedReadings;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.kafka.KafkaTestIO;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SensorForecastJob end to end against a real broker and MiniCluster, with the torch fixture "tiny"
 * as the model: readings are the fixture's events, forecasts must equal torch's outputs.
 */
class SensorForecastJobITCase {

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

    /** Generated malformed records in the end-to-end test. */
    private static final int FUZZED = 10_000;

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    private static Configuration config(String name, boolean bounded) {
        return KafkaJobFixture.create(KAFKA, name)
                .sensorJob()
                .model(TINY)
                .with(
                        "--kafka.bounded", Boolean.toString(bounded),
                        "--job.parallelism", "2",
                        "--job.checkpoint-interval", "300ms",
                        "--gru.batch.max-size", "16",
                        // Records keyed by sensor (each sensor's readings in order on one
                        // partition), years-old and live sensors mixed: event time would call
                        // the old ones late. SensorEventTimeITCase covers the default.
                        "--gru.order", "ARRIVAL")
                .configuration();
    }

    /** The fixture's events as readings, with event times years back and near now; id = seq. */
    private static final Feed FEED =
            KafkaJobFixture.readings(TINY.eventsAt(System.currentTimeMillis()));

    /** The fixture's events. */
    private static final List<GruEvent> EVENTS = FEED.events;

    /** Checks one forecast per reading, each equal to torch's output for it. */
    private static void assertForecastsEqualTorch(List<ConsumerRecord<String, String>> out)
            throws Exception {
        Map<Long, float[]> expected = TINY.expected();
        Map<Long, JsonNode> bySeq = new HashMap<>();
        for (ConsumerRecord<String, String> record : out) {
            JsonNode forecast = JSON.readTree(record.value());
            Long seq = FEED.seqOf(forecast.get("sensor").asText(), forecast.get("ts").asLong());
            assertThat(seq).as("the reading of forecast %s", record.value()).isNotNull();
            assertThat(bySeq.put(seq, forecast))
                    .as(
                            "duplicate forecast for %s",
                            Feed.id(forecast.get("sensor").asText(), forecast.get("ts").asLong()))
                    .isNull();
            assertThat(record.key()).isEqualTo(forecast.get("sensor").asText());
        }
        assertThat(bySeq.keySet()).as("one forecast per reading").isEqualTo(expected.keySet());
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            JsonNode forecast = bySeq.get(e.getKey()).get("forecast");
            float[] actual = new float[forecast.size()];
            for (int i = 0; i < actual.length; i++) {
                actual[i] = (float) forecast.get(i).asDouble();
            }
            assertThat(actual).hasSize(TINY.outputs);
            Tolerance.assertClose(
                    "forecast of seq " + e.getKey(), actual, e.getValue(), TINY.outputs);
        }
    }

    @Test
    void forecastsEqualTorchAndBadRecordsBecomeDeadLetters() throws Exception {
        Configuration config = config("sensor-e2e", true);
        List<String[]> records = FEED.records;
        List<String[]> bad =
                List.of(
                        new String[] {"x", "{not json"},
                        new String[] {"x", "{\"ts\":1,\"values\":[1,2,3]}"},
                        new String[] {"x", "{\"sensor\":\"\",\"ts\":1,\"values\":[1,2,3]}"},
                        new String[] {"x", "{\"sensor\":\"k001\",\"ts\":1,\"values\":[1,2]}"},
                        new String[] {"x", "{\"sensor\":\"k001\",\"ts\":1,\"values\":[1,1e999,3]}"},
                        new String[] {"x", "{\"sensor\":\"k001\",\"ts\":1,\"values\":[1,\"a\",3]}"},
                        new String[] {
                            "x", "{\"sensor\":\"k001\",\"ts\":\"soon\",\"values\":[1,2,3]}"
                        },
                        new String[] {"x", "[1,2,3]"});
        // Bad records in the middle of the stream, on a key that also has valid readings, and
        // 10,000 generated malformed ones scattered through it, mostly on keys of valid sensors.
        List<String[]> all = new ArrayList<>(records.subList(0, 100));
        all.addAll(bad);
        all.addAll(records.subList(100, records.size()));
        List<String> keys = EVENTS.stream().map(e -> e.key).distinct().toList();
        List<String[]> fuzzed = new MalformedReadings(20261127L, 3, keys).generate(FUZZED);
        java.util.Random positions = new java.util.Random(7);
        for (String[] record : fuzzed) {
            all.add(positions.nextInt(all.size() + 1), record);
        }
        KafkaTestIO.produce(KAFKA.bootstrapServers(), "sensor-e2e-in", all);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        GruKafkaPipeline.build(env, config, new SensorCodec(3));
        env.execute("sensor e2e");

        assertForecastsEqualTorch(
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), "sensor-e2e-out"));
        List<String> errors = new ArrayList<>();
        List<String> raws = new ArrayList<>();
        for (ConsumerRecord<String, String> letter :
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), "sensor-e2e-dlq")) {
            JsonNode node = JSON.readTree(letter.value());
            raws.add(node.get("raw").asText());
            assertThat(node.get("topic").asText()).isEqualTo("sensor-e2e-in");
            assertThat(node.get("offset").asLong()).isNotNegative();
            assertThat(node.has("partition")).isTrue();
            errors.add(node.get("error").asText() + " <- " + node.get("raw").asText());
        }
        // Every refused record is there exactly once, unchanged: the 8 above and all fuzzed ones.
        List<String> refused = new ArrayList<>();
        bad.forEach(r -> refused.add(r[1]));
        fuzzed.forEach(r -> refused.add(r[1]));
        assertThat(raws).containsExactlyInAnyOrderElementsOf(refused);
        assertThat(errors)
                .anyMatch(e -> e.startsWith("malformed JSON") && e.endsWith("{not json"))
                .anyMatch(e -> e.startsWith("missing 'sensor'"))
                .anyMatch(e -> e.startsWith("'sensor' is empty"))
                .anyMatch(e -> e.startsWith("expected 3 values, got 2"))
                .anyMatch(e -> e.startsWith("values[1] is not finite"))
                .anyMatch(e -> e.startsWith("values[1] must be a number"))
                .anyMatch(e -> e.startsWith("'ts' must be an integer"))
                .anyMatch(e -> e.startsWith("expected a JSON object"));
    }

    /** Fails once, on the first event of the second phase, in the first attempt only. */
    static final class FailOnceInPhaseTwo extends RichMapFunction<GruEvent, GruEvent> {
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final long phaseTwoFrom;

        /** Fails on the events of seq {@code phaseTwoFrom} and later. */
        FailOnceInPhaseTwo(long phaseTwoFrom) {
            this.phaseTwoFrom = phaseTwoFrom;
        }

        @Override
        public GruEvent map(GruEvent event) {
            if (FEED.seqOf(event.key, event.timestamp) >= phaseTwoFrom
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                FAILURES.incrementAndGet();
                throw new RuntimeException("injected failure at ts " + event.timestamp);
            }
            return event;
        }
    }

    /** Counts what passes through the codec, across restarts (same JVM). */
    static final class CountingCodec implements GruKafkaPipeline.Codec {
        static final AtomicInteger PARSED = new AtomicInteger();
        static final AtomicInteger FORMATTED = new AtomicInteger();
        private final SensorCodec codec = new SensorCodec(3);

        @Override
        public GruEvent parse(dev.flinkgru.jobs.pipeline.KafkaInput input)
                throws dev.flinkgru.jobs.pipeline.BadInputException {
            PARSED.incrementAndGet();
            return codec.parse(input);
        }

        @Override
        public byte[] format(dev.flinkgru.operator.GruPrediction prediction) {
            FORMATTED.incrementAndGet();
            return codec.format(prediction);
        }
    }

    /** Synchronously (pipeline depth 1), and through the shared device batcher at depth 3. */
    @ParameterizedTest(name = "pipeline depth {0}, shared device {1}")
    @CsvSource({"1, false", "3, true"})
    void aRestartFromCheckpointLosesAndDuplicatesNothing(int depth, boolean shared)
            throws Exception {
        String name = "sensor-restart-" + depth + "-" + shared;
        Configuration config = config(name, false);
        config.set(GruOptions.PIPELINE_DEPTH, depth);
        config.set(GruOptions.DEVICE_SHARED, shared);
        FailOnceInPhaseTwo.FAILURES.set(0);
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "5");
        config.setString("restart-strategy.fixed-delay.delay", "200ms");
        List<String[]> records = FEED.records;
        int half = records.size() / 2;

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        GruKafkaPipeline.build(
                env,
                config,
                new CountingCodec(),
                events -> events.map(new FailOnceInPhaseTwo(half)).name("fail once"));
        JobClient job = env.executeAsync(name);
        try {
            // Phase one is committed only after a completed checkpoint covers it.
            KafkaTestIO.produce(KAFKA.bootstrapServers(), name + "-in", records.subList(0, half));
            KafkaTestIO.waitUntil(
                    "phase one committed",
                    Duration.ofSeconds(120),
                    () ->
                            KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), name + "-out")
                                            .size()
                                    >= half);

            KafkaTestIO.produce(
                    KAFKA.bootstrapServers(), name + "-in", records.subList(half, records.size()));
            try {
                KafkaTestIO.waitUntil(
                        "all forecasts committed",
                        Duration.ofSeconds(120),
                        () ->
                                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), name + "-out")
                                                .size()
                                        >= records.size());
            } catch (AssertionError e) {
                throw new AssertionError(
                        e.getMessage()
                                + " (parsed "
                                + CountingCodec.PARSED
                                + ", formatted "
                                + CountingCodec.FORMATTED
                                + ")");
            }
        } finally {
            job.cancel().get();
        }
        assertThat(FailOnceInPhaseTwo.FAILURES.get()).as("injected failures").isPositive();
        assertForecastsEqualTorch(
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), name + "-out"));
    }
}
