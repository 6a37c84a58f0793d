package dev.flinkgru.jobs.pipeline;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.RejectedEvent;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The flagship jobs' shape: Kafka JSON in → parse (bad records to the dead-letter topic) → event
 * time and watermarks → key by the event key → GRU operator → Kafka JSON out, exactly once.
 *
 * <p>Stable uids: {@code kafka-source}, {@code parse-events}, {@code event-time}, {@code
 * gru-operator}, {@code format-predictions}, {@code kafka-sink}, {@code dead-letters}, {@code
 * dead-letter-sink}.
 */
public final class GruKafkaPipeline {

    /** How the job turns records into events and predictions into records. */
    public interface Codec extends EventParser, PredictionFormatter, Serializable {}

    private GruKafkaPipeline() {}

    /** Adds the whole pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, Configuration config, Codec codec) {
        build(env, config, codec, UnaryOperator.identity());
    }

    /**
     * Adds the pipeline with {@code tap} applied to the parsed events just before the operator
     * (tests use it to inject failures).
     */
    public static void build(
            StreamExecutionEnvironment env,
            Configuration config,
            Codec codec,
            UnaryOperator<DataStream<GruEvent>> tap) {
        env.setParallelism(config.get(KafkaJobOptions.PARALLELISM));
        env.enableCheckpointing(
                config.get(KafkaJobOptions.CHECKPOINT_INTERVAL).toMillis(),
                CheckpointingMode.EXACTLY_ONCE);
        Configuration settings = new Configuration();
        // Every record type of the pipeline has a serializer of its own (the event's through the
        // keyBy, POJOs, primitive arrays): none falls back to Kryo, and this makes sure none ever
        // does.
        settings.set(PipelineOptions.GENERIC_TYPES, false);
        // No copy of each record between chained operators: no function of the pipeline keeps or
        // changes its input (the parser routes the source's fresh KafkaInput, the formatters read
        // a fresh prediction or refusal and make a new record, the sinks serialize at once), and
        // the operator's input comes from the keyBy's network, a new object per record.
        settings.set(PipelineOptions.OBJECT_REUSE, true);
        settings.set(
                CheckpointingOptions.INCREMENTAL_CHECKPOINTS,
                config.get(KafkaJobOptions.CHECKPOINT_INCREMENTAL));
        config.getOptional(KafkaJobOptions.STATE_BACKEND)
                .ifPresent(
                        backend ->
                                settings.set(
                                        StateBackendOptions.STATE_BACKEND,
                                        backend.name().toLowerCase(Locale.ROOT)));
        env.configure(settings);

        String servers = config.get(KafkaJobOptions.BOOTSTRAP_SERVERS);
        String inputTopic = JobSettings.required(config, KafkaJobOptions.INPUT_TOPIC);
        BrokerChecks.check(
                config, servers, JobSettings.required(config, KafkaJobOptions.OUTPUT_TOPIC));
        EventChecks checks = EventChecks.fromConfiguration(config);
        // Parsed in the source, so that each partition's watermark comes from its own readings'
        // ts: a subtask reading several partitions of a backlog makes none of them late.
        DataStream<KafkaInput> records =
                env.fromSource(
                                source(config, servers, inputTopic, codec, checks),
                                watermarks(config),
                                "kafka: " + inputTopic)
                        .uid("kafka-source");

        SingleOutputStreamOperator<GruEvent> parsed =
                records.process(
                                new ParseEvents(
                                        codec,
                                        checks,
                                        config.get(KafkaJobOptions.DEAD_LETTER_MAX_RAW_BYTES)))
                        .uid("parse-events")
                        .name("parse events");
        DataStream<GruEvent> events = tap.apply(parsed);

        int features = JobSettings.required(config, KafkaJobOptions.MODEL_FEATURES);
        int sinkParallelism =
                config.getOptional(KafkaJobOptions.SINK_PARALLELISM)
                        .orElse(config.get(KafkaJobOptions.PARALLELISM));
        SingleOutputStreamOperator<GruPrediction> predictions =
                GruInference.fromConfiguration(config, features)
                        .apply(events.keyBy(GruEvent::getKey));

        predictions
                .map(p -> new KeyedJson(p.key, codec.format(p)))
                .uid("format-predictions")
                .name("format predictions")
                .sinkTo(
                        sink(
                                config,
                                servers,
                                JobSettings.required(config, KafkaJobOptions.OUTPUT_TOPIC),
                                config.get(KafkaJobOptions.OUTPUT_TIMESTAMP),
                                "out"))
                .setParallelism(sinkParallelism)
                .uid("kafka-sink")
                .name("kafka: predictions");

        parsed.getSideOutput(ParseEvents.DEAD_LETTERS)
                .union(
                        predictions
                                .getSideOutput(GruInference.REJECTED)
                                .map(
                                        new RejectedToDeadLetter(
                                                inputTopic,
                                                config.get(
                                                        KafkaJobOptions
                                                                .DEAD_LETTER_MAX_RAW_BYTES))))
                .map(d -> new KeyedJson(null, d.toJson().getBytes(StandardCharsets.UTF_8)))
                .uid("dead-letters")
                .name("format dead letters")
                .sinkTo(
                        sink(
                                config,
                                servers,
                                JobSettings.required(config, KafkaJobOptions.DEAD_LETTER_TOPIC),
                                // A dead letter is stamped when it was refused: its record's own
                                // time may be unknown, and may be one the broker would refuse.
                                KafkaJobOptions.OutputTimestamp.PROCESSING_TIME,
                                "dlq"))
                .setParallelism(sinkParallelism)
                .uid("dead-letter-sink")
                .name("kafka: dead letters");
    }

    /**
     * Watermarks from each partition's readings' {@code ts} (a refused record has none), bounded
     * out-of-orderness; a partition without records for the idleness is not waited for.
     */
    private static WatermarkStrategy<KafkaInput> watermarks(Configuration config) {
        WatermarkStrategy<KafkaInput> strategy =
                WatermarkStrategy.<KafkaInput>forBoundedOutOfOrderness(
                                config.get(KafkaJobOptions.OUT_OF_ORDERNESS))
                        .withTimestampAssigner(
                                (input, previous) ->
                                        input.event != null
                                                ? input.event.timestamp
                                                : Long.MIN_VALUE);
        Duration idleness = config.get(KafkaJobOptions.IDLENESS);
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    static KafkaSource<KafkaInput> source(
            Configuration config,
            String servers,
            String topic,
            EventParser parser,
            EventChecks checks) {
        OffsetResetStrategy reset =
                config.get(KafkaJobOptions.STARTING_OFFSETS)
                                == KafkaJobOptions.StartingOffsets.LATEST
                        ? OffsetResetStrategy.LATEST
                        : OffsetResetStrategy.EARLIEST;
        KafkaSourceBuilder<KafkaInput> builder =
                KafkaSource.<KafkaInput>builder()
                        .setBootstrapServers(servers)
                        .setTopics(topic)
                        .setGroupId(JobSettings.required(config, KafkaJobOptions.GROUP_ID))
                        .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                        .setDeserializer(new KafkaInputDeserializer(parser, checks))
                        .setProperties(KafkaClientProperties.consumer(config))
                        .setProperty("isolation.level", "read_committed");
        if (config.get(KafkaJobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    static KafkaSink<KeyedJson> sink(
            Configuration config,
            String servers,
            String topic,
            KafkaJobOptions.OutputTimestamp timestamp,
            String suffix) {
        boolean exactlyOnce =
                config.get(KafkaJobOptions.DELIVERY_GUARANTEE)
                        == KafkaJobOptions.Delivery.EXACTLY_ONCE;
        var builder =
                KafkaSink.<KeyedJson>builder()
                        .setKafkaProducerConfig(KafkaClientProperties.producer(config))
                        .setBootstrapServers(servers)
                        .setRecordSerializer(new KeyedJsonRecords(topic, timestamp))
                        .setDeliveryGuarantee(
                                exactlyOnce
                                        ? DeliveryGuarantee.EXACTLY_ONCE
                                        : DeliveryGuarantee.AT_LEAST_ONCE);
        if (exactlyOnce) {
            builder.setTransactionalIdPrefix(
                            JobSettings.required(config, KafkaJobOptions.TRANSACTIONAL_ID_PREFIX)
                                    + "-"
                                    + suffix)
                    // Reuses a small pool of transactional ids and, on recovery, finds lingering
                    // transactions by listing them on the broker, instead of probing ids.
                    .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                    .setProperty(
                            "transaction.timeout.ms",
                            Long.toString(
                                    config.get(KafkaJobOptions.TRANSACTION_TIMEOUT).toMillis()));
        }
        return builder.build();
    }

    /** An event the operator refused, as the dead letter of the record it was parsed from. */
    private static final class RejectedToDeadLetter
            implements MapFunction<RejectedEvent, DeadLetter> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final int maxRawBytes;

        RejectedToDeadLetter(String topic, int maxRawBytes) {
            this.topic = topic;
            this.maxRawBytes = maxRawBytes;
        }

        @Override
        public DeadLetter map(RejectedEvent rejected) {
            GruEvent event = rejected.event;
            String raw = event.origin != null ? event.origin : event.toString();
            return DeadLetter.of(
                    rejected.reason,
                    raw,
                    Utf8.length(raw),
                    topic,
                    KafkaInput.partitionOf(event.eventId),
                    KafkaInput.offsetOf(event.eventId),
                    maxRawBytes);
        }
    }
}
