package dev.flinkgru.testing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real broker from {@link LocalKafka}: transactions, stop, and the command line. */
class LocalKafkaITCase {

    private static final int COMMITTED = 100;
    private static final int ABORTED = 10;

    @Test
    void readCommittedSeesCommittedTransactionsOnlyAndStopEndsTheBroker(@TempDir Path dir)
            throws Exception {
        LocalKafka kafka = LocalKafka.builder(dir).start();
        long pid = kafka.pid();
        try {
            assertThat(LocalKafka.status(dir).running()).as("status while running").isTrue();
            assertThatThrownBy(() -> LocalKafka.builder(dir).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("running already");

            kafka.createTopics("events");
            kafka.createTopics("events"); // idempotent

            try (KafkaProducer<String, String> producer = producer(kafka)) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < COMMITTED; i++) {
                    producer.send(new ProducerRecord<>("events", "k" + i, "v" + i));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                for (int i = 0; i < ABORTED; i++) {
                    producer.send(new ProducerRecord<>("events", "aborted", "x" + i));
                }
                producer.flush();
                producer.abortTransaction();
            }

            List<String> values = readCommitted(kafka, "events", COMMITTED);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < COMMITTED; i++) {
                expected.add("v" + i);
            }
            assertThat(values).as("read_committed values").isEqualTo(expected);
        } finally {
            kafka.stop();
        }

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("broker process %s after stop()", pid)
                .isFalse();
        assertThat(dir.resolve(LocalKafka.PID_FILE)).doesNotExist();
        LocalKafka.Status status = LocalKafka.status(dir);
        assertThat(status.running()).as("status after stop: %s", status).isFalse();
        assertThat(status.alive()).isFalse();
        kafka.stop(); // again: nothing to do
    }

    private static KafkaProducer<String, String> producer(LocalKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-kafka-itcase");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(p);
    }

    /** Reads until {@code expected} values have come and one more poll brings nothing. */
    private static List<String> readCommitted(LocalKafka kafka, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "local-kafka-itcase");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
