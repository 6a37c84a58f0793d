package dev.flinkgru.jobs.pipeline;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * The Kafka client properties of a job: its defaults for the sinks' producers and the source's
 * consumer, overridden by the user's {@value KafkaJobOptions#PRODUCER_PREFIX}{@code <property>} and
 * {@value KafkaJobOptions#CONSUMER_PREFIX}{@code <property>} options.
 */
public final class KafkaClientProperties {

    /**
     * The producers' defaults. With exactly once a forecast is visible only when the checkpoint
     * after it commits, so records may wait for fuller batches at no visible cost: fewer, larger
     * produce requests cost the producer's network thread and the broker far less per record.
     */
    public static final Map<String, String> PRODUCER_DEFAULTS =
            Map.of("linger.ms", "100", "batch.size", Integer.toString(512 * 1024));

    /** The consumer's defaults: none besides Kafka's and Flink's own. */
    public static final Map<String, String> CONSUMER_DEFAULTS = Map.of();

    /** Producer properties the job sets from its own options, by the option to use instead. */
    private static final Map<String, String> PRODUCER_RESERVED =
            Map.of(
                    "bootstrap.servers", KafkaJobOptions.BOOTSTRAP_SERVERS.key(),
                    "transactional.id", KafkaJobOptions.TRANSACTIONAL_ID_PREFIX.key(),
                    "transaction.timeout.ms", KafkaJobOptions.TRANSACTION_TIMEOUT.key(),
                    "key.serializer", "",
                    "value.serializer", "");

    /** Consumer properties the job sets from its own options, by the option to use instead. */
    private static final Map<String, String> CONSUMER_RESERVED =
            Map.of(
                    "bootstrap.servers", KafkaJobOptions.BOOTSTRAP_SERVERS.key(),
                    "group.id", KafkaJobOptions.GROUP_ID.key(),
                    "isolation.level", "",
                    "key.deserializer", "",
                    "value.deserializer", "");

    private KafkaClientProperties() {}

    /** Whether {@code key} is a client property option, which the job accepts whatever follows. */
    static boolean isClientProperty(String key) {
        return (key.startsWith(KafkaJobOptions.PRODUCER_PREFIX)
                        && key.length() > KafkaJobOptions.PRODUCER_PREFIX.length())
                || (key.startsWith(KafkaJobOptions.CONSUMER_PREFIX)
                        && key.length() > KafkaJobOptions.CONSUMER_PREFIX.length());
    }

    /** The sinks' producer properties: the defaults, then the user's. */
    public static Properties producer(Configuration config) {
        return properties(
                config, KafkaJobOptions.PRODUCER_PREFIX, PRODUCER_DEFAULTS, PRODUCER_RESERVED);
    }

    /** The source's consumer properties: the defaults, then the user's. */
    public static Properties consumer(Configuration config) {
        return properties(
                config, KafkaJobOptions.CONSUMER_PREFIX, CONSUMER_DEFAULTS, CONSUMER_RESERVED);
    }

    private static Properties properties(
            Configuration config,
            String prefix,
            Map<String, String> defaults,
            Map<String, String> reserved) {
        Map<String, String> values = new TreeMap<>(defaults);
        for (Map.Entry<String, String> e : config.toMap().entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String property = e.getKey().substring(prefix.length());
            if (reserved.containsKey(property)) {
                String instead = reserved.get(property);
                throw new IllegalConfigurationException(
                        e.getKey()
                                + ": the job sets "
                                + property
                                + " itself"
                                + (instead.isEmpty() ? "" : "; use " + instead));
            }
            values.put(property, e.getValue());
        }
        Properties properties = new Properties();
        properties.putAll(values);
        return properties;
    }
}
