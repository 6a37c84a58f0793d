package dev.flinkgru.jobs.pipeline;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the Kafka jobs, besides the operator's {@code gru.*} options. Each job gives its own
 * defaults for topics and model; see {@link JobSettings}.
 */
public final class KafkaJobOptions {

    private KafkaJobOptions() {}

    /** Exactly-once or at-least-once delivery to the output and dead-letter topics. */
    public enum Delivery {
        EXACTLY_ONCE,
        AT_LEAST_ONCE
    }

    /** The Kafka timestamp of the records the job writes (predictions and dead letters). */
    public enum OutputTimestamp {
        /** The time the record is produced: what the broker's time-based retention expects. */
        PROCESSING_TIME,
        /** The event's {@code ts}: old events' records fall under retention at once. */
        EVENT_TIME
    }

    /** Where a job without committed offsets starts reading. */
    public enum StartingOffsets {
        EARLIEST,
        LATEST
    }

    /**
     * Prefix of any Kafka producer property of the two sinks: {@code kafka.producer.linger.ms=200}
     * sets the producers' {@code linger.ms}, over the job's own defaults ({@link
     * KafkaClientProperties}). The properties the job sets from its own options (servers,
     * transactional ids, the transaction timeout, serializers) are refused here.
     */
    public static final String PRODUCER_PREFIX = "kafka.producer.";

    /**
     * Prefix of any Kafka consumer property of the source: {@code
     * kafka.consumer.max.partition.fetch.bytes=4194304} sets the consumer's {@code
     * max.partition.fetch.bytes}. The properties the job sets from its own options (servers, group
     * id, read_committed isolation, deserializers) are refused here.
     */
    public static final String CONSUMER_PREFIX = "kafka.consumer.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("127.0.0.1:19092")
                    .withDescription("Kafka bootstrap servers (default: the local broker).");

    public static final ConfigOption<String> INPUT_TOPIC =
            ConfigOptions.key("kafka.input-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Topic of the input events (JSON).");

    public static final ConfigOption<String> OUTPUT_TOPIC =
            ConfigOptions.key("kafka.output-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Topic of the predictions (JSON).");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("kafka.dead-letter-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Topic of refused input: {error, raw, topic, partition, offset}.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Consumer group id (offsets are committed on checkpoints).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            ConfigOptions.key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.EARLIEST)
                    .withDescription(
                            "Where to start without committed offsets of the group: EARLIEST or"
                                    + " LATEST.");

    public static final ConfigOption<Boolean> BOUNDED =
            ConfigOptions.key("kafka.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop at the input's latest offsets as of the job's start (for tests"
                                    + " and backfills).");

    public static final ConfigOption<Delivery> DELIVERY_GUARANTEE =
            ConfigOptions.key("kafka.delivery-guarantee")
                    .enumType(Delivery.class)
                    .defaultValue(Delivery.EXACTLY_ONCE)
                    .withDescription(
                            "EXACTLY_ONCE (Kafka transactions committed on checkpoints; readers"
                                    + " use isolation.level=read_committed) or AT_LEAST_ONCE.");

    public static final ConfigOption<OutputTimestamp> OUTPUT_TIMESTAMP =
            ConfigOptions.key("kafka.output-timestamp")
                    .enumType(OutputTimestamp.class)
                    .defaultValue(OutputTimestamp.PROCESSING_TIME)
                    .withDescription(
                            "Kafka timestamp of the predictions: PROCESSING_TIME (when the"
                                    + " record is produced) or EVENT_TIME (the event's ts); dead"
                                    + " letters always carry the time they were refused. With EVENT_TIME the broker's"
                                    + " time-based retention (retention.ms, 7 days by default)"
                                    + " deletes the predictions of older events minutes after"
                                    + " they are written: a backfill of history loses its output.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("kafka.transactional-id-prefix")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Prefix of the sink's transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Integer> SINK_PARALLELISM =
            ConfigOptions.key("kafka.sink-parallelism")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Parallelism of the two Kafka sinks; unset: the job's parallelism.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "transaction.timeout.ms of the exactly-once sinks: the longest outage"
                                    + " of the job (from a failure until it runs again) whose"
                                    + " output survives; past it the broker aborts the transaction"
                                    + " of the last checkpoint and its records are lost. At most"
                                    + " the broker's transaction.max.timeout.ms (15 min by"
                                    + " default).");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("job.checkpoint-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Checkpoint interval; with EXACTLY_ONCE also the delay until output"
                                    + " is visible to read_committed readers.");

    public static final ConfigOption<Boolean> CHECKPOINT_INCREMENTAL =
            ConfigOptions.key("job.checkpoint-incremental")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Incremental checkpoints where the state backend takes them (RocksDB:"
                                    + " a checkpoint uploads only the files written since the"
                                    + " last one, so its cost follows the keys touched, not all"
                                    + " keys); the hashmap backend takes full ones either way."
                                    + " Overrides the cluster's"
                                    + " execution.checkpointing.incremental.");

    /** Where the job keeps its keyed state: Flink's two backends that ship with it. */
    public enum StateBackend {
        HASHMAP,
        ROCKSDB
    }

    public static final ConfigOption<StateBackend> STATE_BACKEND =
            ConfigOptions.key("job.state-backend")
                    .enumType(StateBackend.class)
                    .noDefaultValue()
                    .withDescription(
                            "HASHMAP (states on the JVM heap: fastest, bounded by the heap) or"
                                    + " ROCKSDB (states on local disk: millions of keys; bloom"
                                    + " filters on unless state.backend.rocksdb.use-bloom-filter"
                                    + " is set). Unset: the cluster's state.backend.type (the"
                                    + " local runner's: hashmap). Sets state.backend.type for"
                                    + " this job.");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("job.parallelism")
                    .intType()
                    .defaultValue(1)
                    .withDescription("Parallelism of the job.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("job.watermark.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Bounded out-of-orderness of event time (ts) in watermarks: the"
                                    + " watermark trails the largest ts a subtask has read by this"
                                    + " much. Under gru.order EVENT_TIME (the jobs' default) every"
                                    + " event waits this long (plus the watermark interval,"
                                    + " pipeline.auto-watermark-interval, 200 ms) before it is"
                                    + " stepped, and an event further behind is late"
                                    + " (gru.order.late).");

    public static final ConfigOption<Duration> IDLENESS =
            ConfigOptions.key("job.watermark.idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A partition that has had no record for this long is idle: its"
                                    + " watermark no longer holds the others back, so a partition"
                                    + " without traffic does not stop output under gru.order"
                                    + " EVENT_TIME for longer than this. Its next records may then"
                                    + " be late, so keep it well above the time a partition's"
                                    + " first fetch takes when the job starts. 0: never idle.");

    public static final ConfigOption<Boolean> BROKER_CHECKS =
            ConfigOptions.key("kafka.broker-checks")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Check the Kafka cluster at start: its transaction.version against"
                                    + " what the exactly-once sink can resume, and with"
                                    + " EVENT_TIME output the topic's timestamp limits; false"
                                    + " skips these checks.");

    public static final ConfigOption<Duration> EVENT_TIME_MAX_AHEAD =
            ConfigOptions.key("job.event-time.max-ahead")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A record whose ts is further ahead of the clock than this when it is"
                                    + " parsed is a dead letter: a far-future ts would drag the"
                                    + " watermark ahead and, with kafka.output-timestamp"
                                    + " EVENT_TIME, be refused by the broker (its"
                                    + " message.timestamp.after.max.ms, 1 h by default).");

    public static final ConfigOption<Duration> EVENT_TIME_MAX_BEHIND =
            ConfigOptions.key("job.event-time.max-behind")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "If set, a record whose ts is further behind the clock than this is a"
                                    + " dead letter. Needed with kafka.output-timestamp EVENT_TIME"
                                    + " when the output topic sets message.timestamp.before.max.ms;"
                                    + " unset: history of any age is welcome.");

    public static final ConfigOption<Integer> KEY_MAX_BYTES =
            ConfigOptions.key("job.key.max-bytes")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Longest event key (UTF-8 bytes) the job accepts; a longer one is a"
                                    + " dead letter, never cut (two keys cut alike would share one"
                                    + " state).");

    public static final ConfigOption<Integer> DEAD_LETTER_MAX_RAW_BYTES =
            ConfigOptions.key("kafka.dead-letter.max-raw-bytes")
                    .intType()
                    .defaultValue(64 * 1024)
                    .withDescription(
                            "The most bytes of the original record a dead letter carries in raw"
                                    + " (as escaped JSON); longer records are cut there, with"
                                    + " raw_truncated true and raw_bytes their full length, so a"
                                    + " dead letter always fits the producer's max.request.size.");

    public static final ConfigOption<Integer> MODEL_FEATURES =
            ConfigOptions.key("gru.model.features")
                    .intType()
                    .noDefaultValue()
                    .withDescription("F, features per event the model takes.");
}
