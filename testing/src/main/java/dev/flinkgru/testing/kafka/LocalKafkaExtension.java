package dev.flinkgru.testing.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker ({@link LocalKafka}, any free port, a temporary work directory) for an
 * ITCase. Registered on a static field it serves the whole class; on an instance field, each test
 * gets its own.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalKafkaExtension KAFKA = new LocalKafkaExtension("events");
 *
 * ... KafkaSource.<T>builder().setBootstrapServers(KAFKA.bootstrapServers()) ...
 * }</pre>
 *
 * <p>If a test failed, the work directory (with {@code broker.log}) is kept and its path printed;
 * otherwise it is deleted.
 */
public class LocalKafkaExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /**
     * How often the test brokers run their time-based retention, and how long after the start the
     * first time (the broker's defaults: 5 min, and 30 s): every second from the first second, so
     * that a test whose records are stamped too old for the topic's retention loses them while it
     * runs, as a user's job would in production.
     */
    public static final String RETENTION_CHECK_INTERVAL_MS = "1000";

    private final String[] topics;
    private final Map<String, String> brokerConfig = new LinkedHashMap<>();
    private int partitions = LocalKafka.DEFAULT_PARTITIONS;
    private int transactionVersion = 1;
    private LocalKafka kafka;
    private boolean perTest;
    private boolean failed;

    /** A broker that starts with {@code topics} created. */
    public LocalKafkaExtension(String... topics) {
        this.topics = topics.clone();
        brokerConfig.put("log.retention.check.interval.ms", RETENTION_CHECK_INTERVAL_MS);
        brokerConfig.put("log.initial.task.delay.ms", RETENTION_CHECK_INTERVAL_MS);
    }

    /** The broker's transaction protocol version (default 1, see LocalKafka). */
    public LocalKafkaExtension withTransactionVersion(int transactionVersion) {
        this.transactionVersion = transactionVersion;
        return this;
    }

    /** Sets a broker configuration entry of {@code server.properties}. */
    public LocalKafkaExtension withBrokerConfig(String key, String value) {
        brokerConfig.put(key, value);
        return this;
    }

    /** Partitions of the topics this extension creates (default 1). */
    public LocalKafkaExtension withPartitions(int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be greater than 0");
        }
        this.partitions = partitions;
        return this;
    }

    /** {@code 127.0.0.1:PORT} of the running broker. */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** Creates topics (idempotent) with the extension's partition count. */
    public void createTopics(String... names) {
        broker().createTopics(partitions, names);
    }

    /** Creates topics (idempotent) with {@code partitions} partitions. */
    public void createTopics(int partitions, String... names) {
        broker().createTopics(partitions, names);
    }

    /** The running broker. */
    public LocalKafka broker() {
        if (kafka == null) {
            throw new IllegalStateException(
                    "The Kafka broker is not running: register LocalKafkaExtension with"
                            + " @RegisterExtension and use it inside a test.");
        }
        return kafka;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (kafka == null) {
            perTest = true; // instance field: beforeAll was not called
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        failed |= context.getExecutionException().isPresent();
        if (perTest) {
            stop(context);
        }
    }

    private void start() throws IOException {
        Path dir = Files.createTempDirectory("flink-gru-kafka-");
        try {
            LocalKafka.Builder builder =
                    LocalKafka.builder(dir)
                            .optPartitions(partitions)
                            .optTransactionVersion(transactionVersion);
            brokerConfig.forEach(builder::optConfig);
            kafka = builder.start();
        } catch (RuntimeException | IOException e) {
            System.err.println("LocalKafkaExtension: broker files kept in " + dir);
            throw e;
        }
        kafka.createTopics(topics);
    }

    private void stop(ExtensionContext context) {
        if (kafka == null) {
            return;
        }
        Path dir = kafka.workDir();
        try {
            kafka.stop();
        } finally {
            kafka = null;
        }
        if (failed || context.getExecutionException().isPresent()) {
            System.err.println("LocalKafkaExtension: broker files kept in " + dir);
        } else {
            deleteRecursively(dir);
        }
        failed = false;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
