package dev.flinkgru.jobs.sensor;

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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exactly-once recovery with the Kafka sinks at the job's parallelism: three failures in a row
 * (each attempt fails where the next quarter of the stream starts), every forecast once and equal
 * to torch's. Each sink writer aborts, on recovery, the open transactions it owns; with several
 * writers none may abort another's. {@code -Dflinkgru.repeat=N} (passed to the test JVM, e.g.
 * through {@code -Ddjl.test.jvm.args}) runs each configuration N times.
 */
class SinkRecoveryITCase {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension().withPartitions(4);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TorchFixture TINY = TorchFixture.load("tiny");
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** The seq of each reading, by "sensor@ts", across runs (each run has its own times). */
    private static final Map<String, Long> SEQ = new ConcurrentHashMap<>();

    static Stream<Arguments> configurations() {
        int repeat = Integer.getInteger("flinkgru.repeat", 1);
        return IntStream.range(0, repeat)
                .boxed()
                .flatMap(r -> Stream.of(Arguments.of(2, 2, r), Arguments.of(4, 4, r)));
    }

    /**
     * Attempt k fails on the first event of the (k+2)-th quarter of the stream: three failures, the
     * later ones while the sinks are recovering from the earlier.
     */
    static final class FailAtEachQuarter extends RichMapFunction<GruEvent, GruEvent> {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final long quarter;

        FailAtEachQuarter(long quarter) {
            this.quarter = quarter;
        }

        @Override
        public GruEvent map(GruEvent event) {
            long seq = SEQ.get(event.key + "@" + event.timestamp);
            int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
            if (attempt < 3 && seq >= (attempt + 1) * quarter) {
                FAILURES.incrementAndGet();
                throw new RuntimeException("injected failure " + attempt + " at seq " + seq);
            }
            return event;
        }
    }

    @ParameterizedTest(name = "parallelism {0}, sink parallelism {1}, run {2}")
    @MethodSource("configurations")
    void threeFailuresInARowLoseAndDuplicateNothing(int parallelism, int sinkParallelism, int run)
            throws Exception {
        String name = "sinks-" + RUNS.incrementAndGet();
        Configuration config =
                KafkaJobFixture.create(KAFKA, name)
                        .sensorJob()
                        .model(TINY)
                        .with(
                                "--kafka.sink-parallelism",
                                Integer.toString(sinkParallelism),
                                "--job.parallelism",
                                Integer.toString(parallelism),
                                "--job.checkpoint-interval",
                                "200ms",
                                "--gru.batch.max-size",
                                "16",
                                // Records keyed by sensor, years-old and live sensors mixed:
                                // event time would call the old ones late.
                                "--gru.order",
                                "ARRIVAL")
                        .configuration();
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "10");
        config.setString("restart-strategy.fixed-delay.delay", "100ms");

        Feed feed =
                KafkaJobFixture.readings(
                        TINY.eventsAt(System.currentTimeMillis() - run * 3_600_000L));
        SEQ.putAll(feed.seqs());
        List<String[]> records = feed.records;
        int quarter = records.size() / 4;
        int failuresBefore = FailAtEachQuarter.FAILURES.get();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        GruKafkaPipeline.build(
                env,
                config,
                new SensorCodec(3),
                s -> s.map(new FailAtEachQuarter(quarter)).name("fail at each quarter"));
        JobClient job = env.executeAsync(name);
        String out = name + "-out";
        try {
            KafkaTestIO.produce(
                    KAFKA.bootstrapServers(), name + "-in", records.subList(0, quarter));
            KafkaTestIO.waitUntil(
                    "the first quarter committed",
                    Duration.ofSeconds(120),
                    () ->
                            KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), out).size()
                                    >= quarter);
            KafkaTestIO.produce(
                    KAFKA.bootstrapServers(),
                    name + "-in",
                    records.subList(quarter, records.size()));
            KafkaTestIO.waitUntil(
                    "every forecast committed",
                    Duration.ofSeconds(180),
                    () ->
                            KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), out).size()
                                    >= records.size());
        } finally {
            job.cancel().get();
        }
        assertThat(FailAtEachQuarter.FAILURES.get() - failuresBefore)
                .as("injected failures")
                .isGreaterThanOrEqualTo(3);

        Map<Long, float[]> expected = TINY.expected();
        Map<Long, float[]> forecasts = new HashMap<>();
        for (ConsumerRecord<String, String> record :
                KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), out)) {
            JsonNode node = JSON.readTree(record.value());
            Long seq = SEQ.get(node.get("sensor").asText() + "@" + node.get("ts").asLong());
            assertThat(seq).as("the reading of %s", record.value()).isNotNull();
            float[] y = new float[TINY.outputs];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) node.get("forecast").get(i).asDouble();
            }
            assertThat(forecasts.put(seq, y)).as("a second forecast of seq %d", seq).isNull();
        }
        assertThat(forecasts.keySet()).as("one forecast per reading").isEqualTo(expected.keySet());
        forecasts.forEach(
                (seq, y) ->
                        Tolerance.assertClose("seq " + seq, y, expected.get(seq), TINY.outputs));
    }
}
