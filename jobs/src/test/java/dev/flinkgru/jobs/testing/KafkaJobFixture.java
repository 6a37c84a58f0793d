package dev.flinkgru.jobs.testing;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.flinkgru.jobs.pipeline.JobSettings;
import dev.flinkgru.jobs.recommend.RecommendationJob;
import dev.flinkgru.jobs.recommend.RecommendationOptions;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.kafka.KafkaTestIO;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One Kafka job of an integration test, the setup every such test shares: the job's three topics
 * ({@code NAME-in}, {@code NAME-out}, {@code NAME-dlq}) on the test broker, its configuration (the
 * job's defaults, then the topics, group id and transactional id prefix {@code NAME}, then the
 * test's own options), and a torch fixture's events as the job's input records ({@link Feed}), with
 * the way back from an output record to the event's seq.
 */
public final class KafkaJobFixture {

    private final LocalKafkaExtension kafka;
    private final String name;

    private KafkaJobFixture(LocalKafkaExtension kafka, String name) {
        this.kafka = kafka;
        this.name = name;
    }

    /** The job {@code name} on {@code kafka}'s broker; creates its three topics. */
    public static KafkaJobFixture create(LocalKafkaExtension kafka, String name) {
        KafkaJobFixture job = new KafkaJobFixture(kafka, name);
        kafka.createTopics(job.inputTopic(), job.outputTopic(), job.deadLetterTopic());
        return job;
    }

    /** {@code NAME-in}. */
    public String inputTopic() {
        return name + "-in";
    }

    /** {@code NAME-out}. */
    public String outputTopic() {
        return name + "-out";
    }

    /** {@code NAME-dlq}. */
    public String deadLetterTopic() {
        return name + "-dlq";
    }

    /** The broker's bootstrap servers. */
    public String servers() {
        return kafka.bootstrapServers();
    }

    /** The configuration of a {@link SensorForecastJob} on these topics. */
    public Options sensorJob() {
        return new Options(SensorForecastJob.DEFAULTS, new Class<?>[0]);
    }

    /** The configuration of a {@link RecommendationJob} on these topics. */
    public Options recommendationJob() {
        return new Options(
                RecommendationJob.DEFAULTS, new Class<?>[] {RecommendationOptions.class});
    }

    /** Writes {@code records} (key, value) to the input topic. */
    public void produce(List<String[]> records) {
        KafkaTestIO.produce(servers(), inputTopic(), records);
    }

    /** Every committed record of the output topic. */
    public List<ConsumerRecord<String, String>> output() {
        return KafkaTestIO.readCommitted(servers(), outputTopic());
    }

    /** Every committed record of the dead-letter topic. */
    public List<ConsumerRecord<String, String>> deadLetters() {
        return KafkaTestIO.readCommitted(servers(), deadLetterTopic());
    }

    /**
     * A job's options as its command line takes them, {@code --key value}: the job's topics, group
     * id and transactional id prefix, then what the test adds, parsed by {@link JobSettings} over
     * the job's defaults.
     */
    public final class Options {
        private final Map<String, String> defaults;
        private final Class<?>[] optionHolders;
        private final List<String> args = new ArrayList<>();

        private Options(Map<String, String> defaults, Class<?>[] optionHolders) {
            this.defaults = defaults;
            this.optionHolders = optionHolders;
            with(
                    "--kafka.bootstrap-servers", servers(),
                    "--kafka.input-topic", inputTopic(),
                    "--kafka.output-topic", outputTopic(),
                    "--kafka.dead-letter-topic", deadLetterTopic(),
                    "--kafka.group-id", name,
                    "--kafka.transactional-id-prefix", name);
        }

        /** The fixture's TorchScript model and its sizes ({@code gru.model.*}). */
        public Options model(TorchFixture fixture) {
            return model(fixture, fixture.model());
        }

        /** {@code file} (the fixture's model.pt or model.onnx) with the fixture's sizes. */
        public Options model(TorchFixture fixture, Path file) {
            return with(
                    "--gru.model.features", Integer.toString(fixture.features),
                    "--gru.model.path", file.toString(),
                    "--gru.model.hidden-size", Integer.toString(fixture.hidden),
                    "--gru.model.layers", Integer.toString(fixture.layers));
        }

        /** More options, {@code --key value} pairs; a later value of a key wins. */
        public Options with(String... options) {
            args.addAll(List.of(options));
            return this;
        }

        /** The job's configuration. */
        public Configuration configuration() {
            return JobSettings.parse(defaults, args.toArray(String[]::new), optionHolders);
        }
    }

    /**
     * {@code events} with the event times {@code timeOfSeq} gives their seqs (ids), for tests that
     * need other times than {@link TorchFixture#eventsAt}'s mix of history and live sensors.
     */
    public static List<GruEvent> timed(List<GruEvent> events, LongUnaryOperator timeOfSeq) {
        for (GruEvent e : events) {
            e.timestamp = timeOfSeq.applyAsLong(e.eventId);
        }
        return events;
    }

    /**
     * Sensor readings {@code {"sensor":KEY,"ts":TS,"values":[x..]}} of {@code events} (id = seq),
     * in their order.
     */
    public static Feed readings(List<GruEvent> events) {
        return new Feed(
                events,
                e -> {
                    StringBuilder values = new StringBuilder();
                    for (float v : e.features) {
                        values.append(values.length() == 0 ? "" : ",").append(v);
                    }
                    return String.format(
                            "{\"sensor\":%s,\"ts\":%d,\"values\":[%s]}",
                            quote(e.key), e.timestamp, values);
                });
    }

    /**
     * Recommendation events {@code {"user":KEY,"item":ID,"ts":TS}} of {@code events} (id = seq; the
     * item id is the one feature), in their order.
     */
    public static Feed userEvents(List<GruEvent> events) {
        return new Feed(
                events,
                e ->
                        String.format(
                                "{\"user\":%s,\"item\":%d,\"ts\":%d}",
                                quote(e.key), (int) e.features[0], e.timestamp));
    }

    private static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    /**
     * A torch fixture's events as a job's input records, one per event in the events' order, and
     * the way back from an output (its key and event time) to the seq of the event it is for.
     */
    public static final class Feed {

        /** The events, id = seq. */
        public final List<GruEvent> events;

        /** (key, JSON value) per event, in the events' order: the record of seq s is at s. */
        public final List<String[]> records;

        private final Map<String, Long> seqs = new HashMap<>();

        private Feed(List<GruEvent> events, java.util.function.Function<GruEvent, String> json) {
            this.events = events;
            List<String[]> records = new ArrayList<>(events.size());
            for (GruEvent e : events) {
                if (seqs.put(id(e.key, e.timestamp), e.eventId) != null) {
                    throw new IllegalArgumentException(
                            "two events of " + e.key + " at " + e.timestamp);
                }
                records.add(new String[] {e.key, json.apply(e)});
            }
            this.records = Collections.unmodifiableList(records);
        }

        /** The seq of the event of {@code key} at {@code ts}, or null if there is none. */
        public Long seqOf(String key, long ts) {
            return seqs.get(id(key, ts));
        }

        /** Seq by {@code "key@ts"}. */
        public Map<String, Long> seqs() {
            return Collections.unmodifiableMap(seqs);
        }

        /** {@code key@ts}: an event of a key is one per event time. */
        public static String id(String key, long ts) {
            return key + "@" + ts;
        }
    }
}
