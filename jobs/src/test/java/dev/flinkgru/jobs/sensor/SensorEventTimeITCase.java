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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sensor job at its default {@code gru.order} EVENT_TIME on a 2-partition topic written as most
 * producers write: records without a key, each sensor's readings spread over both partitions and
 * out of order across them (and a little within each), a 2020 backfill. Every forecast must equal
 * torch over the sensor's readings in time order, exactly once; also when the job fails while
 * readings wait in state for the watermark, and restarts from its last checkpoint.
 */
class SensorEventTimeITCase {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension().withPartitions(2);

    private static final TorchFixture TINY = TorchFixture.load("tiny");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Tiny's reading s was taken at START + s seconds. */
    private static final long START = Instant.parse("2020-06-01T00:00:00Z").toEpochMilli();

    private static final Feed FEED =
            KafkaJobFixture.readings(
                    KafkaJobFixture.timed(TINY.events(), seq -> START + seq * 1_000));

    /**
     * Each reading on a random partition, no key; each partition's readings displaced by up to 5
     * places (5 s, within the bound of 10 s). Returns (partition, value) in sending order.
     */
    private static List<Object[]> unkeyed(List<String[]> records, long seed) {
        Random random = new Random(seed);
        List<List<Object[]>> partitions = List.of(new ArrayList<>(), new ArrayList<>());
        for (int seq = 0; seq < records.size(); seq++) {
            int p = random.nextInt(2);
            partitions
                    .get(p)
                    .add(new Object[] {p, records.get(seq)[1], seq + random.nextDouble() * 5});
        }
        List<Object[]> sent = new ArrayList<>();
        for (List<Object[]> partition : partitions) {
            partition.sort(Comparator.comparingDouble(r -> (double) r[2]));
            sent.addAll(partition); // all of partition 0, then all of partition 1
        }
        return sent;
    }

    private static void produce(String topic, List<Object[]> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Object[] r : records) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(topic, (Integer) r[0], null, (String) r[1])));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    private static Configuration config(KafkaJobFixture job, boolean bounded) {
        return job.sensorJob()
                .model(TINY)
                .with(
                        "--kafka.bounded", Boolean.toString(bounded),
                        "--job.parallelism", "2",
                        "--job.checkpoint-interval", "300ms",
                        "--job.watermark.out-of-orderness", "10s",
                        "--gru.batch.max-size", "16")
                .configuration();
    }

    /** One forecast per reading of {@code FEED} (others ignored), each equal to torch's. */
    private static void assertForecastsEqualTorch(List<ConsumerRecord<String, String>> out)
            throws Exception {
        Map<Long, float[]> expected = TINY.expected();
        Map<Long, float[]> forecasts = new HashMap<>();
        for (ConsumerRecord<String, String> r : out) {
            JsonNode node = JSON.readTree(r.value());
            Long seq = FEED.seqOf(node.get("sensor").asText(), node.get("ts").asLong());
            if (seq == null) {
                continue; // the closing readings
            }
            float[] y = new float[TINY.outputs];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) node.get("forecast").get(i).asDouble();
            }
            assertThat(forecasts.put(seq, y)).as("forecasts of seq %s", seq).isNull();
        }
        assertThat(forecasts).hasSameSizeAs(expected);
        forecasts.forEach(
                (seq, y) ->
                        Tolerance.assertClose("seq " + seq, y, expected.get(seq), TINY.outputs));
    }

    @Test
    void unkeyedReadingsOutOfOrderAcrossPartitionsGetTorchsForecasts() throws Exception {
        KafkaJobFixture job = KafkaJobFixture.create(KAFKA, "unkeyed");
        produce(job.inputTopic(), unkeyed(FEED.records, 1));

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(config(job, true));
        GruKafkaPipeline.build(env, config(job, true), new SensorCodec(TINY.features));
        env.execute("unkeyed readings");

        assertForecastsEqualTorch(job.output());
        assertThat(job.deadLetters()).isEmpty();
    }

    @Test
    void aPartitionWithoutTrafficDoesNotHoldTheOthersBack() throws Exception {
        KafkaJobFixture job = KafkaJobFixture.create(KAFKA, "idle-partition");
        Configuration config = config(job, false);
        config.setString("job.watermark.idleness", "1s");
        List<Object[]> onPartitionZero = new ArrayList<>();
        for (String[] record : FEED.records) {
            onPartitionZero.add(new Object[] {0, record[1]});
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        GruKafkaPipeline.build(env, config, new SensorCodec(TINY.features));
        JobClient client = env.executeAsync("idle partition");
        try {
            // Partition 1 stays empty: idle after 1 s, its watermark stops holding partition 0's
            // back, and all but the last ~10 s of readings are forecast.
            produce(job.inputTopic(), onPartitionZero);
            KafkaTestIO.waitUntil(
                    "forecasts of partition 0's readings",
                    Duration.ofSeconds(120),
                    () -> job.output().size() >= FEED.records.size() - 20);
        } finally {
            client.cancel().get();
        }
        List<ConsumerRecord<String, String>> out = job.output();
        assertThat(out.size()).isLessThan(FEED.records.size()); // the newest wait
        Map<Long, float[]> expected = TINY.expected();
        for (ConsumerRecord<String, String> r : out) {
            JsonNode node = JSON.readTree(r.value());
            long seq = FEED.seqOf(node.get("sensor").asText(), node.get("ts").asLong());
            float[] y = new float[TINY.outputs];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) node.get("forecast").get(i).asDouble();
            }
            Tolerance.assertClose("seq " + seq, y, expected.get(seq), TINY.outputs);
        }
    }

    /** Fails once, at the first reading of phase two, in the first attempt only. */
    static final class FailOnceInPhaseTwo extends RichMapFunction<GruEvent, GruEvent> {
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final long phaseTwoFrom;

        FailOnceInPhaseTwo(long phaseTwoFrom) {
            this.phaseTwoFrom = phaseTwoFrom;
        }

        @Override
        public GruEvent map(GruEvent event) {
            Long seq = FEED.seqOf(event.key, event.timestamp);
            if (seq != null
                    && seq >= phaseTwoFrom
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                FAILURES.incrementAndGet();
                throw new RuntimeException("injected failure at ts " + event.timestamp);
            }
            return event;
        }
    }

    @Test
    void aFailureWhileReadingsWaitForTheWatermarkLosesAndDuplicatesNothing() throws Exception {
        KafkaJobFixture job = KafkaJobFixture.create(KAFKA, "unkeyed-failover");
        Configuration config = config(job, false);
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "5");
        config.setString("restart-strategy.fixed-delay.delay", "200ms");
        List<String[]> records = FEED.records;
        int half = records.size() / 2;
        FailOnceInPhaseTwo.FAILURES.set(0);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        GruKafkaPipeline.build(
                env,
                config,
                new SensorCodec(TINY.features),
                events -> events.map(new FailOnceInPhaseTwo(half)).name("fail once"));
        JobClient client = env.executeAsync("unkeyed failover");
        try {
            // Phase one: its last ~10 s of readings wait in state for a watermark past them, and
            // a completed checkpoint holds them.
            produce(job.inputTopic(), unkeyed(records.subList(0, half), 2));
            KafkaTestIO.waitUntil(
                    "phase one committed but the readings waiting for the watermark",
                    Duration.ofSeconds(120),
                    () -> job.output().size() >= half - 20);
            assertThat(job.output().size()).isLessThan(half);

            produce(job.inputTopic(), unkeyed(records.subList(half, records.size()), 3));
            // A closing reading on each partition, a minute later: the watermark passes the rest.
            long closing = START + records.size() * 1_000L + 60_000;
            String reading = "{\"sensor\":\"closing\",\"ts\":" + closing + ",\"values\":[0,0,0]}";
            produce(
                    job.inputTopic(),
                    List.of(new Object[] {0, reading}, new Object[] {1, reading}));
            KafkaTestIO.waitUntil(
                    "every forecast committed",
                    Duration.ofSeconds(120),
                    () -> job.output().size() >= records.size());
        } finally {
            client.cancel().get();
        }
        assertThat(FailOnceInPhaseTwo.FAILURES.get()).as("injected failures").isPositive();
        assertForecastsEqualTorch(job.output());
    }
}
