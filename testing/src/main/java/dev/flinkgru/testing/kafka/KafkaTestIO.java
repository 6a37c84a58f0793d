package dev.flinkgru.testing.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing to and reading back from the test broker, as a job's users would. */
public final class KafkaTestIO {

    private KafkaTestIO() {}

    /**
     * Sends {@code records} (key, value) to {@code topic} in order and waits until all are
     * acknowledged; fails if any was not written.
     */
    public static void produce(String servers, String topic, List<String[]> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // One request in flight: a batch retried on a busy machine can never be overtaken by the
        // next (the broker then refuses the retry with OutOfOrderSequenceException, and the
        // records it carried are lost).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            for (String[] record : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, record[0], record[1])));
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (ExecutionException e) {
                    throw new AssertionError(
                            "could not write record " + i + " of " + sent.size() + " to " + topic,
                            e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while writing to " + topic, e);
                }
            }
        }
    }

    /**
     * Every committed record of {@code topic} (isolation.level=read_committed), up to the end
     * offsets as of this call.
     */
    public static List<ConsumerRecord<String, String>> readCommitted(String servers, String topic) {
        try (KafkaConsumer<String, String> consumer = consumer(servers)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static boolean reached(
            KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static KafkaConsumer<String, String> consumer(String servers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    /**
     * Returns once the broker's time-based retention has run over every log after this call. Writes
     * canary records stamped 30 days ago (older than the default retention.ms of 7 days) to {@code
     * canaryTopic} (one partition), one at a time, each after the previous one was deleted. The
     * retention passes run one after another over all logs: the pass that deletes the first canary
     * has begun before this call may have ended, the next pass starts after it and ends before the
     * pass that deletes the third canary, so that next pass saw every log as it was at this call,
     * or later.
     */
    public static void awaitRetentionPasses(String servers, String canaryTopic)
            throws InterruptedException {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        TopicPartition partition = new TopicPartition(canaryTopic, 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props);
                Admin admin = Admin.create(adminProps)) {
            for (int canary = 0; canary < 3; canary++) {
                long stamp = System.currentTimeMillis() - Duration.ofDays(30).toMillis();
                long offset;
                try {
                    offset =
                            producer.send(
                                            new ProducerRecord<>(
                                                    canaryTopic, 0, stamp, null, "canary"))
                                    .get()
                                    .offset();
                } catch (ExecutionException e) {
                    throw new AssertionError("could not write a canary to " + canaryTopic, e);
                }
                waitUntil(
                        "the broker's retention to delete canary " + offset + " of " + canaryTopic,
                        Duration.ofSeconds(60),
                        () -> earliestOffset(admin, partition) > offset);
            }
        }
    }

    private static long earliestOffset(Admin admin, TopicPartition partition) {
        try {
            return admin.listOffsets(Map.of(partition, OffsetSpec.earliest()))
                    .partitionResult(partition)
                    .get()
                    .offset();
        } catch (ExecutionException e) {
            throw new AssertionError("could not list the offsets of " + partition, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for {@code condition}, checking every 100 ms, failing after {@code timeout}. */
    public static void waitUntil(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
