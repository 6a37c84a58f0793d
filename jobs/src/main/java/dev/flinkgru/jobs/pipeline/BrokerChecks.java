package dev.flinkgru.jobs.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job checks on its Kafka cluster before it starts, so that a setting that would lose or
 * refuse records fails the start with one clear line instead of a restart loop later:
 *
 * <ul>
 *   <li>with {@code EXACTLY_ONCE}, the cluster's {@code transaction.version} must be one the sink
 *       can resume ({@link #MAX_TRANSACTION_VERSION});
 *   <li>with {@code kafka.output-timestamp EVENT_TIME}, the output topic must accept every event
 *       time the parse step lets through: {@code job.event-time.max-ahead} no more than the topic's
 *       {@code message.timestamp.after.max.ms}, and, where the topic sets {@code
 *       message.timestamp.before.max.ms}, {@code job.event-time.max-behind} set and no more.
 * </ul>
 *
 * A cluster that does not answer in time is logged and not checked (it may be starting).
 */
final class BrokerChecks {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerChecks.class);

    /**
     * The highest {@code transaction.version} whose transactions Flink's KafkaSink (connector
     * 5.0.0-2.2) resumes after a restore; see docs/kafka-jobs.md, exactly-once recovery.
     */
    static final short MAX_TRANSACTION_VERSION = 1;

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private BrokerChecks() {}

    /** Checks {@code config}'s cluster and {@code outputTopic}; throws on a setting that fails. */
    static void check(ReadableConfig config, String servers, String outputTopic) {
        boolean exactlyOnce =
                config.get(KafkaJobOptions.DELIVERY_GUARANTEE)
                        == KafkaJobOptions.Delivery.EXACTLY_ONCE;
        boolean eventTime =
                config.get(KafkaJobOptions.OUTPUT_TIMESTAMP)
                        == KafkaJobOptions.OutputTimestamp.EVENT_TIME;
        if (!config.get(KafkaJobOptions.BROKER_CHECKS) || (!exactlyOnce && !eventTime)) {
            return;
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(props)) {
            if (exactlyOnce) {
                checkTransactionVersion(admin.describeFeatures().featureMetadata(), servers);
            }
            if (eventTime) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, outputTopic);
                Config topicConfig = get(admin.describeConfigs(List.of(topic)).all()).get(topic);
                checkTimestampLimits(config, outputTopic, topicConfig);
            }
        } catch (TimeoutException e) {
            LOG.warn(
                    "The Kafka cluster at {} did not answer within {}; starting without checking"
                            + " its transaction.version and topic timestamp limits",
                    servers,
                    TimeUtils.formatWithHighestUnit(TIMEOUT));
        } catch (ExecutionException e) {
            LOG.warn(
                    "Could not check the Kafka cluster at {}: {}; starting without the checks",
                    servers,
                    e.getCause() == null ? e : e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking the Kafka cluster", e);
        }
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future)
            throws ExecutionException, InterruptedException, TimeoutException {
        return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void checkTransactionVersion(
            org.apache.kafka.common.KafkaFuture<FeatureMetadata> metadata, String servers)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, FinalizedVersionRange> finalized = get(metadata).finalizedFeatures();
        FinalizedVersionRange version = finalized.get("transaction.version");
        short level = version == null ? 0 : version.maxVersionLevel();
        if (level > MAX_TRANSACTION_VERSION) {
            throw new IllegalConfigurationException(
                    "The Kafka cluster at "
                            + servers
                            + " runs transaction.version "
                            + level
                            + "; with "
                            + KafkaJobOptions.DELIVERY_GUARANTEE.key()
                            + " EXACTLY_ONCE the sink (flink-connector-kafka 5.0.0-2.2) resumes"
                            + " transactions only up to version "
                            + MAX_TRANSACTION_VERSION
                            + ": downgrade it (kafka-features.sh --bootstrap-server "
                            + servers
                            + " downgrade --feature transaction.version="
                            + MAX_TRANSACTION_VERSION
                            + ") or use AT_LEAST_ONCE");
        }
    }

    /**
     * Checks that {@code topic}, as {@code topicConfig} says, takes every event time let through.
     */
    static void checkTimestampLimits(ReadableConfig config, String topic, Config topicConfig) {
        List<String> problems = new ArrayList<>();
        Duration maxAhead = config.get(KafkaJobOptions.EVENT_TIME_MAX_AHEAD);
        long after = millis(topicConfig, "message.timestamp.after.max.ms");
        if (maxAhead.toMillis() > after) {
            problems.add(
                    KafkaJobOptions.EVENT_TIME_MAX_AHEAD.key()
                            + " = "
                            + TimeUtils.formatWithHighestUnit(maxAhead)
                            + " but the topic refuses records more than "
                            + TimeUtils.formatWithHighestUnit(Duration.ofMillis(after))
                            + " ahead (message.timestamp.after.max.ms)");
        }
        long before = millis(topicConfig, "message.timestamp.before.max.ms");
        if (before != Long.MAX_VALUE) {
            Duration maxBehind =
                    config.getOptional(KafkaJobOptions.EVENT_TIME_MAX_BEHIND).orElse(null);
            if (maxBehind == null || maxBehind.toMillis() > before) {
                problems.add(
                        KafkaJobOptions.EVENT_TIME_MAX_BEHIND.key()
                                + " = "
                                + (maxBehind == null
                                        ? "unset"
                                        : TimeUtils.formatWithHighestUnit(maxBehind))
                                + " but the topic refuses records more than "
                                + TimeUtils.formatWithHighestUnit(Duration.ofMillis(before))
                                + " old (message.timestamp.before.max.ms)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalConfigurationException(
                    "With "
                            + KafkaJobOptions.OUTPUT_TIMESTAMP.key()
                            + " EVENT_TIME the output topic '"
                            + topic
                            + "' would refuse records the job lets through, and the sink would"
                            + " fail on them: "
                            + String.join("; ", problems));
        }
    }

    private static long millis(Config config, String name) {
        ConfigEntry entry = config.get(name);
        if (entry == null || entry.value() == null) {
            return Long.MAX_VALUE;
        }
        return Long.parseLong(entry.value());
    }
}
