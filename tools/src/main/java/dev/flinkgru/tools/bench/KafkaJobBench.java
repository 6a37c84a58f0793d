package dev.flinkgru.tools.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.pipeline.JobSettings;
import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import dev.flinkgru.testing.kafka.LocalKafka;
import dev.flinkgru.tools.command.LocalCluster;
import dev.flinkgru.tools.command.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bench --kafka}: the sensor job ({@link SensorForecastJob}'s pipeline and codec) as users
 * run it, from Kafka to Kafka on a local broker (a free port), exactly once. Per configuration:
 *
 * <ol>
 *   <li>Throughput: a fresh topic of {@value #INPUT_PARTITIONS} partitions is preloaded with JSON
 *       readings (records without keys, {@code ts} their produce time), the job runs bounded to its
 *       end, and the steady events/s is taken from the output records' timestamps (the time the
 *       job's sink produced each forecast) between the 5th and 95th percentile of the output, so
 *       neither the job's start-up nor its last checkpoint counts.
 *   <li>Latency: the job runs unbounded on fresh topics; once its first forecasts are visible,
 *       readings are produced at half the measured throughput, and each forecast's latency is the
 *       time a {@code read_committed} consumer first sees it minus its reading's {@code ts}.
 * </ol>
 *
 * <p>Both runs check that every reading has exactly one forecast (no output lost or duplicated,
 * none dead-lettered); a miss fails the bench.
 */
final class KafkaJobBench implements AutoCloseable {

    /** Partitions of the input topic, as the issue's users had them. */
    static final int INPUT_PARTITIONS = 2;

    /** Readings produced before the latency run's measurement, to see the job running. */
    private static final int LATENCY_WARM_UP = 2_000;

    /** Longest wait for the forecasts of what was produced, after the last reading. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);

    private static final JsonFactory JSON = new JsonFactory();

    private final Path workDir;
    private final LocalKafka kafka;
    private final int keys;
    private final int features;
    private final int parallelism;
    private final Progress progress;
    private int runs;

    private KafkaJobBench(
            Path workDir,
            LocalKafka kafka,
            int keys,
            int features,
            int parallelism,
            Progress progress) {
        this.workDir = workDir;
        this.kafka = kafka;
        this.keys = keys;
        this.features = features;
        this.parallelism = parallelism;
        this.progress = progress;
    }

    /** Starts a broker on a free port in a temporary directory, removed again by {@link #close}. */
    static KafkaJobBench start(int keys, int features, int parallelism, Progress progress)
            throws IOException {
        Path dir = Files.createTempDirectory("flink-gru-bench-kafka");
        progress.say("starting a local Kafka broker for the kafka-job runs in " + dir);
        LocalKafka kafka = LocalKafka.builder(dir).start();
        return new KafkaJobBench(dir, kafka, keys, features, parallelism, progress);
    }

    /**
     * The job's settings of one run: a configuration of the sensor job.
     *
     * @param hidden H of the bench model
     * @param model the bench model's file
     * @param engine torchscript or onnx
     * @param device gru.predictor.device
     * @param backend heap or rocksdb
     * @param batch gru.batch.max-size
     * @param depth gru.pipeline.depth
     * @param maxDelay gru.batch.max-delay
     */
    record Run(
            int hidden,
            Path model,
            String engine,
            String device,
            String backend,
            int batch,
            int depth,
            Duration maxDelay) {}

    /** Peak steady throughput over {@code count} preloaded readings, then latency at half of it. */
    BenchResult measure(Run run, long count, Duration latencyRun) throws Exception {
        String name =
                String.format(
                        Locale.ROOT,
                        "kafka-job %s H=%d %s B=%d depth %d",
                        run.backend(),
                        run.hidden(),
                        run.engine(),
                        run.batch(),
                        run.depth());
        Topics throughputTopics = createTopics();
        progress.say(
                String.format(
                        Locale.ROOT, "%s: preloading %,d readings (2 partitions)", name, count));
        try (Producer producer = new Producer(kafka.bootstrapServers(), throughputTopics.input)) {
            for (long i = 0; i < count; i++) {
                producer.send(i);
            }
        }
        progress.say(String.format(Locale.ROOT, "%s: throughput, bounded job", name));
        Configuration config = jobConfig(run, throughputTopics, true);
        StreamExecutionEnvironment env = environment(config);
        CpuTimes before = cpuTimes();
        env.execute("flink-gru bench kafka-job throughput");
        CpuTimes cpu = cpuTimes().minus(before);
        List<Forecast> out = readAll(throughputTopics.output);
        checkExactlyOnce(name + " throughput", out, count, throughputTopics);
        double steady = steadyEventsPerSecond(out);
        deleteTopics(throughputTopics);

        double halfLoad = steady / 2;
        long latencyEvents = Math.max(10_000, (long) (halfLoad * latencyRun.toSeconds()));
        progress.say(
                String.format(
                        Locale.ROOT,
                        "%s: latency at %,.0f events/s, %,d readings",
                        name,
                        halfLoad,
                        latencyEvents));
        double[] latency = measureLatency(run, halfLoad, latencyEvents, name);
        BenchResult result =
                new BenchResult(
                        "kafka-job",
                        run.hidden(),
                        run.batch(),
                        run.backend(),
                        steady,
                        latency[0],
                        latency[1],
                        run.engine(),
                        run.depth(),
                        false,
                        0);
        System.out.printf(
                Locale.ROOT,
                "  %-7s H=%-4d kafka-job %-11s depth %d B=%-5d %,12.0f events/s   at %,.0f"
                        + " events/s: p50 %.1f ms, p99 %.1f ms (produced -> visible"
                        + " read_committed)%n",
                run.backend(),
                run.hidden(),
                run.engine(),
                run.depth(),
                run.batch(),
                steady,
                halfLoad,
                latency[0],
                latency[1]);
        System.out.printf(
                Locale.ROOT,
                "  %-7s H=%-4d kafka-job %-11s CPU per million readings, whole bounded run (start-up"
                        + " included): job %.1f s, broker %.1f s%n",
                run.backend(),
                run.hidden(),
                run.engine(),
                cpu.jobSeconds() * 1e6 / count,
                cpu.brokerSeconds() * 1e6 / count);
        return result;
    }

    /**
     * CPU seconds used so far by this JVM (the job's MiniCluster, and the bench's idle threads) and
     * by the broker's process.
     */
    record CpuTimes(double jobSeconds, double brokerSeconds) {
        CpuTimes minus(CpuTimes earlier) {
            return new CpuTimes(
                    jobSeconds - earlier.jobSeconds, brokerSeconds - earlier.brokerSeconds);
        }
    }

    private CpuTimes cpuTimes() {
        double job =
                ((com.sun.management.OperatingSystemMXBean)
                                        ManagementFactory.getOperatingSystemMXBean())
                                .getProcessCpuTime()
                        / 1e9;
        double broker =
                ProcessHandle.of(kafka.pid())
                        .flatMap(p -> p.info().totalCpuDuration())
                        .map(d -> d.toNanos() / 1e9)
                        .orElse(Double.NaN);
        return new CpuTimes(job, broker);
    }

    /** p50 and p99 ms from a reading's produce time to its forecast seen read_committed. */
    private double[] measureLatency(Run run, double rate, long count, String name)
            throws Exception {
        Topics topics = createTopics();
        Configuration config = jobConfig(run, topics, false);
        StreamExecutionEnvironment env = environment(config);
        JobClient client = env.executeAsync("flink-gru bench kafka-job latency");
        Reader reader = new Reader(kafka.bootstrapServers(), topics.output);
        Thread readerThread = new Thread(reader, "bench-kafka-reader");
        readerThread.start();
        long measuredFrom;
        try (Producer producer = new Producer(kafka.bootstrapServers(), topics.input)) {
            for (long i = 0; i < LATENCY_WARM_UP; i++) {
                producer.send(i);
            }
            producer.flush();
            awaitForecasts(reader, client, LATENCY_WARM_UP, name + " warm-up");
            measuredFrom = System.currentTimeMillis();
            long began = System.nanoTime();
            double nanosPerEvent = 1e9 / rate;
            for (long i = 0; i < count; i++) {
                long due = began + (long) (i * nanosPerEvent);
                for (long left = due - System.nanoTime();
                        left > 0;
                        left = due - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                producer.send(LATENCY_WARM_UP + i);
            }
        }
        try {
            awaitForecasts(reader, client, LATENCY_WARM_UP + count, name);
        } finally {
            reader.stop();
            readerThread.join();
            client.cancel().get(60, TimeUnit.SECONDS);
            client.getJobExecutionResult().handle((r, e) -> null).get(120, TimeUnit.SECONDS);
        }
        List<Forecast> out = reader.forecasts();
        checkExactlyOnce(name + " latency", out, LATENCY_WARM_UP + count, topics);
        deleteTopics(topics);
        long[] millis =
                out.stream()
                        .filter(f -> f.ts >= measuredFrom)
                        .mapToLong(f -> f.seenMillis - f.ts)
                        .sorted()
                        .toArray();
        if (millis.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {quantile(millis, 0.50), quantile(millis, 0.99)};
    }

    private static double quantile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Waits until {@code reader} has seen {@code count} forecasts; fails if the job ended. */
    private static void awaitForecasts(Reader reader, JobClient client, long count, String what)
            throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (reader.count() < count) {
            if (client.getJobExecutionResult().isDone()) {
                client.getJobExecutionResult().get();
                throw new IllegalStateException(
                        what + ": the job ended after " + reader.count() + " of " + count);
            }
            if (reader.failure() != null) {
                throw new IllegalStateException(what + ": reading failed", reader.failure());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        what
                                + ": "
                                + reader.count()
                                + " of "
                                + count
                                + " forecasts visible after "
                                + DRAIN_TIMEOUT.toSeconds()
                                + " s");
            }
            reader.awaitMore(reader.count(), Duration.ofMillis(200));
        }
    }

    /**
     * Outputs per second between the 5th and 95th percentile of the forecasts' produce times (the
     * output records' timestamps): the job's steady rate, its start-up and end excluded.
     */
    static double steadyEventsPerSecond(List<Forecast> out) {
        long[] times = out.stream().mapToLong(f -> f.producedMillis).sorted().toArray();
        if (times.length < 20) {
            return Double.NaN;
        }
        int from = times.length / 20;
        int to = times.length - 1 - times.length / 20;
        long span = times[to] - times[from];
        return span <= 0 ? Double.NaN : (to - from) / (span / 1e3);
    }

    /** Every reading has exactly one forecast, and nothing was dead-lettered. */
    private void checkExactlyOnce(String what, List<Forecast> out, long expected, Topics topics) {
        Set<String> seen = new HashSet<>();
        long duplicates = 0;
        for (Forecast f : out) {
            if (!seen.add(f.sensor + "#" + f.steps)) {
                duplicates++;
            }
        }
        long deadLetters = readAll(topics.deadLetters).size();
        if (out.size() != expected || duplicates != 0 || deadLetters != 0) {
            throw new IllegalStateException(
                    String.format(
                            Locale.ROOT,
                            "%s: %,d forecasts (%,d duplicates) and %,d dead letters for %,d"
                                    + " readings",
                            what,
                            out.size(),
                            duplicates,
                            deadLetters,
                            expected));
        }
    }

    private Configuration jobConfig(Run run, Topics topics, boolean bounded) {
        String id = topics.input;
        Configuration config =
                JobSettings.parse(
                        SensorForecastJob.DEFAULTS,
                        new String[] {
                            "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                            "--kafka.input-topic", topics.input,
                            "--kafka.output-topic", topics.output,
                            "--kafka.dead-letter-topic", topics.deadLetters,
                            "--kafka.group-id", id,
                            "--kafka.transactional-id-prefix", id,
                            "--kafka.bounded", Boolean.toString(bounded),
                            "--job.parallelism", Integer.toString(parallelism),
                            "--gru.model.features", Integer.toString(features),
                            "--gru.model.path", run.model().toString(),
                            "--gru.model.hidden-size", Integer.toString(run.hidden()),
                            "--gru.model.layers", "1",
                            "--gru.predictor.backend", run.engine(),
                            "--gru.predictor.device", run.device(),
                            "--gru.predictor.warm-up", "true",
                            "--gru.batch.max-size", Integer.toString(run.batch()),
                            "--gru.batch.max-delay", run.maxDelay().toMillis() + "ms",
                            "--gru.pipeline.depth", Integer.toString(run.depth()),
                            // The latency run waits for every reading's forecast; under the job's
                            // default EVENT_TIME the newest wait for later readings, for ever at
                            // the end. The batched-et row of the operator measures that wait.
                            "--gru.order", "ARRIVAL"
                        });
        config.set(
                StateBackendOptions.STATE_BACKEND,
                run.backend().equals("heap") ? "hashmap" : "rocksdb");
        // The states of many keys outgrow the JobManager's 5 MB in-memory checkpoint storage, whose
        // every failed checkpoint would restart the job.
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        config.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                workDir.resolve("checkpoints").toUri().toString());
        return config;
    }

    private StreamExecutionEnvironment environment(Configuration config) {
        StreamExecutionEnvironment env =
                LocalCluster.environment("flink-gru bench", LocalCluster.network(config));
        env.setParallelism(parallelism);
        GruKafkaPipeline.build(env, config, new SensorCodec(features));
        return env;
    }

    /** The three topics of one job run. */
    private record Topics(String input, String output, String deadLetters) {}

    private Topics createTopics() {
        runs++;
        Topics topics =
                new Topics(
                        "bench-readings-" + runs,
                        "bench-forecasts-" + runs,
                        "bench-dead-letters-" + runs);
        LocalKafka.createTopics(kafka.bootstrapServers(), INPUT_PARTITIONS, List.of(topics.input));
        LocalKafka.createTopics(
                kafka.bootstrapServers(), parallelism, List.of(topics.output, topics.deadLetters));
        return topics;
    }

    /** Frees the broker's disk of a finished run's topics. */
    private void deleteTopics(Topics topics) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.deleteTopics(List.of(topics.input, topics.output, topics.deadLetters))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    /** One forecast as read back: its reading's key and ts, the key's step, and two times. */
    record Forecast(String sensor, long ts, long steps, long producedMillis, long seenMillis) {}

    /** Every committed record of {@code topic}, read to its end as of now. */
    private List<Forecast> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka.bootstrapServers())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Forecast> out = new ArrayList<>();
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(parse(r, now));
                }
            }
            return out;
        }
    }

    private static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    /** The fields of a forecast record the checks need; a dead letter reads as an empty one. */
    static Forecast parse(ConsumerRecord<byte[], byte[]> record, long seenMillis) {
        String sensor = null;
        long ts = -1;
        long steps = -1;
        try (JsonParser p = JSON.createParser(record.value())) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "sensor" -> sensor = p.getText();
                        case "ts" -> ts = p.getLongValue();
                        case "steps" -> steps = p.getLongValue();
                        default -> p.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Forecast(sensor, ts, steps, record.timestamp(), seenMillis);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String servers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    /** Reads forecasts as they become visible, noting when each was first seen. */
    private final class Reader implements Runnable {
        private final String servers;
        private final String topic;
        private final List<Forecast> forecasts = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean running = true;

        Reader(String servers, String topic) {
            this.servers = servers;
            this.topic = topic;
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(servers)) {
                List<TopicPartition> partitions = partitions(consumer, topic);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    long now = System.currentTimeMillis();
                    List<Forecast> batch = new ArrayList<>(records.count());
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        batch.add(parse(r, now));
                    }
                    if (!batch.isEmpty()) {
                        synchronized (this) {
                            forecasts.addAll(batch);
                            notifyAll();
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        synchronized int count() {
            return forecasts.size();
        }

        synchronized void awaitMore(int than, Duration timeout) throws InterruptedException {
            if (forecasts.size() <= than) {
                wait(timeout.toMillis());
            }
        }

        synchronized List<Forecast> forecasts() {
            return new ArrayList<>(forecasts);
        }

        Throwable failure() {
            return failure.get();
        }

        void stop() {
            running = false;
        }
    }

    /** Produces readings without keys, each stamped with its produce time. */
    private final class Producer implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final String[] keyNames;
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        Producer(String servers, String topic) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            props.put(
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            props.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            this.producer = new KafkaProducer<>(props);
            this.topic = topic;
            this.keyNames = new String[keys];
            for (int k = 0; k < keys; k++) {
                keyNames[k] = "s" + k;
            }
        }

        /** Sends reading {@code i}: the key and features of the bench's event {@code i}. */
        void send(long i) {
            if (failure.get() != null) {
                throw new IllegalStateException("producing readings failed", failure.get());
            }
            int key = (int) Math.floorMod(i * 2654435761L, (long) keys);
            StringBuilder json = new StringBuilder(128);
            json.append("{\"sensor\":\"")
                    .append(keyNames[key])
                    .append("\",\"ts\":")
                    .append(System.currentTimeMillis())
                    .append(",\"values\":[");
            long bits = i * 0x9E3779B97F4A7C15L;
            for (int f = 0; f < features; f++) {
                bits ^= bits >>> 29;
                bits *= 0xBF58476D1CE4E5B9L;
                json.append(f == 0 ? "" : ",").append(((bits >>> 40) & 0xFFFF) / 32768f - 1f);
            }
            json.append("]}");
            producer.send(
                    new ProducerRecord<>(topic, json.toString().getBytes(StandardCharsets.UTF_8)),
                    (metadata, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                        }
                    });
        }

        void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.flush();
            producer.close();
            if (failure.get() != null) {
                throw new IllegalStateException("producing readings failed", failure.get());
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            kafka.close();
        } finally {
            // Flink's own delete: it tolerates a checkpoint directory the job's cleaner removes
            // at the same time.
            FileUtils.deleteDirectory(workDir.toFile());
        }
    }
}
