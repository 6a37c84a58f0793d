package dev.flinkgru.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.jobs.cli.CliException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    @Test
    void commandLineStartsADetachedBrokerAndStopsIt(@TempDir Path dir) throws Exception {
        String workDir = dir.resolve("kafka").toString();
        try {
            Result start =
                    command("start", "--work-dir", workDir, "--port", "0", "--topics", "a,b");
            assertThat(start.code).as("start: %s", start.err).isZero();
            String bootstrap = start.out.trim();
            assertThat(bootstrap).startsWith("127.0.0.1:");

            long pid =
                    Long.parseLong(Files.readString(Path.of(workDir, LocalKafka.PID_FILE)).trim());
            assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse(""))
                    .as("the pid file names the broker JVM itself")
                    .contains("kafka.Kafka");

            Result again = command("start", "--work-dir", workDir, "--topics", "c");
            assertThat(again.code).as("second start: %s", again.err).isZero();
            assertThat(again.out.trim()).isEqualTo(bootstrap);
            assertThat(again.err).contains("running already");

            Result status = command("status", "--work-dir", workDir);
            assertThat(status.code).isZero();
            assertThat(status.out).contains("running " + bootstrap);

            Result stop = command("stop", "--work-dir", workDir);
            assertThat(stop.code).isZero();
            assertThat(stop.err).contains("Kafka stopped (pid " + pid + ")");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("broker process after kafka stop")
                    .isFalse();

            Result stopped = command("status", "--work-dir", workDir);
            assertThat(stopped.code).isEqualTo(KafkaCommand.NOT_RUNNING);
            assertThat(stopped.out.trim()).isEqualTo("stopped");

            assertThat(command("stop", "--work-dir", workDir).code).isZero();
            assertThat(command("bogus").code).isEqualTo(CliException.USAGE);
            assertThat(command("start", "--port", "x").err).contains("--port must be an integer");
            assertThat(command("start", "--port", "-1").code).isEqualTo(CliException.USAGE);
        } finally {
            LocalKafka.stop(Path.of(workDir), Duration.ofSeconds(10));
        }
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

    private static Result command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code;
        try {
            code =
                    KafkaCommand.run(
                            args, new PrintStream(out, true, StandardCharsets.UTF_8), errStream);
        } catch (CliException e) {
            errStream.println(e.getMessage()); // as FlinkGruCli prints it
            code = e.exitCode();
        }
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String out, String err) {}
}
