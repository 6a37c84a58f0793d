package dev.flinkgru.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.pipeline.JobSettings;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.testing.kafka.LocalKafka;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.ConfigFlags;
import dev.flinkgru.tools.command.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru demo [--job sensor|recommendation] [--duration 60s]}: starts the local broker,
 * creates the topics, produces generated events into Kafka, runs the job in a local MiniCluster,
 * shows live progress, and at the end prints the model's quality against a naive baseline and
 * writes a chart. Stops on Ctrl-C or after the duration, and stops the broker it started.
 */
@Command(
        name = "demo",
        sortOptions = false,
        showDefaultValues = true,
        customSynopsis = {
            "flink-gru demo [--job sensor|recommendation] [--duration 60s (0: until Ctrl-C)]"
                    + " [--rate 2000]",
            "    [--keys 200] [--parallelism 2] [--batch-size 256] [--checkpoint-interval 1s]",
            "    [--port 19092] [--work-dir .flink-gru]"
        },
        description = {
            "The sensor (or --job recommendation) job on a local broker, live.",
            "Runs a Kafka job live on the local broker: generated events in, predictions out"
                    + " (exactly once), a status line every 5 s, and at the end the model against"
                    + " its naive baseline and a chart under WORK-DIR/demo/.",
            ""
        })
public final class DemoCommand implements Callable<Integer>, ConfigFlags {

    private static final Duration STATUS_EVERY = Duration.ofSeconds(5);
    private static final Duration SAMPLES_EVERY = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--job",
            paramLabel = "JOB",
            defaultValue = "sensor",
            description = "sensor (forecasts) or recommendation (top 10 next items).")
    String job;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "60s",
            description =
                    "How long to run, e.g. 60s, 5m, 250ms (a bare number: ms); 0: until Ctrl-C.")
    Duration duration;

    @Option(
            names = "--rate",
            paramLabel = "EVENTS_PER_S",
            defaultValue = "2000",
            description = "Events produced per second.")
    int rate;

    @Option(
            names = "--keys",
            paramLabel = "N",
            defaultValue = "200",
            description = "Sensors or users.")
    int keys;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            defaultValue = "2",
            description = "Parallelism of the job, and partitions of its topics.")
    int parallelism;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "256",
            description = "The operator's largest batch (gru.batch.max-size).")
    int batchSize;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "1s",
            description = "Checkpoint interval, also the output's visibility delay.")
    Duration checkpointInterval;

    @Option(
            names = "--port",
            paramLabel = "N",
            defaultValue = "" + LocalKafka.DEFAULT_PORT,
            description = "Port of the local broker it starts (one running there is used).")
    int port;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = ".flink-gru",
            description =
                    "The broker's data (kafka/), the charts and the job's checkpoints (demo/).")
    Path workDir;

    @Override
    public Map<String, String> flagsByKey() {
        return Map.of(GruOptions.BATCH_MAX_SIZE.key(), "--batch-size");
    }

    @Override
    public Integer call() throws Exception {
        DemoScenario scenario;
        switch (job) {
            case "sensor":
                scenario = new SensorScenario(2026, keys);
                break;
            case "recommendation":
                scenario = new RecommendationScenario(keys);
                break;
            default:
                throw CliException.usage(
                        "--job must be sensor or recommendation, was '" + job + "'");
        }
        if (rate < 1 || keys < 1 || parallelism < 1) {
            throw CliException.usage("--rate, --keys and --parallelism must be at least 1");
        }
        return new Demo(
                        scenario,
                        duration,
                        rate,
                        parallelism,
                        batchSize,
                        checkpointInterval,
                        workDir,
                        port)
                .run();
    }

    /** One run of the demo. */
    private static final class Demo {
        private final DemoScenario scenario;
        private final Duration duration;
        private final int rate;
        private final int parallelism;
        private final int batchSize;
        private final Duration checkpointInterval;
        private final Path workDir;
        private final int port;

        private final CountDownLatch stop = new CountDownLatch(1);
        private volatile boolean consuming = true;
        private final AtomicLong produced = new AtomicLong();
        private final AtomicLong consumed = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final LatencyWindow latencies = new LatencyWindow();
        private final String inputTopic;
        private final String outputTopic;
        private final String deadLetterTopic;

        Demo(
                DemoScenario scenario,
                Duration duration,
                int rate,
                int parallelism,
                int batchSize,
                Duration checkpointInterval,
                Path workDir,
                int port) {
            this.scenario = scenario;
            this.duration = duration;
            this.rate = rate;
            this.parallelism = parallelism;
            this.batchSize = batchSize;
            this.checkpointInterval = checkpointInterval;
            this.workDir = workDir;
            this.port = port;
            this.inputTopic = scenario.jobDefaults().get("kafka.input-topic");
            this.outputTopic = scenario.jobDefaults().get("kafka.output-topic");
            this.deadLetterTopic = scenario.jobDefaults().get("kafka.dead-letter-topic");
        }

        int run() throws Exception {
            installCtrlC();
            Path kafkaDir = workDir.resolve("kafka");
            LocalKafka.Status status = LocalKafka.status(kafkaDir);
            LocalKafka started = null;
            String servers;
            if (status.running()) {
                servers = status.bootstrapServers();
                say("using the running local Kafka broker at " + servers);
            } else {
                say("starting a local Kafka broker (KRaft, 127.0.0.1:" + port + ") ...");
                started = LocalKafka.builder(kafkaDir).optPort(port).start();
                servers = started.bootstrapServers();
            }
            try {
                recreateTopics(servers);
                return runJob(servers);
            } finally {
                if (started != null) {
                    say("stopping the local Kafka broker");
                    started.stop();
                }
            }
        }

        private void installCtrlC() {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> stop.countDown());
        }

        private void recreateTopics(String servers) throws Exception {
            List<String> topics = List.of(inputTopic, outputTopic, deadLetterTopic);
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            try (Admin admin = Admin.create(props)) {
                List<String> existing = new ArrayList<>(admin.listTopics().names().get());
                existing.retainAll(topics);
                if (!existing.isEmpty()) {
                    admin.deleteTopics(existing).all().get();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (admin.listTopics().names().get().stream().anyMatch(existing::contains)) {
                        if (System.nanoTime() > deadline) {
                            throw CliException.failure(
                                    "old demo topics were not deleted: " + existing);
                        }
                        Thread.sleep(100);
                    }
                }
            }
            LocalKafka.createTopics(servers, parallelism, topics);
            say("topics " + topics + " created, " + parallelism + " partitions each");
        }

        private int runJob(String servers) throws Exception {
            String runId = "demo-" + System.currentTimeMillis();
            Configuration config =
                    JobSettings.parse(
                            scenario.jobDefaults(),
                            new String[] {
                                "--kafka.bootstrap-servers",
                                servers,
                                "--kafka.group-id",
                                runId,
                                "--kafka.transactional-id-prefix",
                                runId,
                                "--job.parallelism",
                                Integer.toString(parallelism),
                                "--job.checkpoint-interval",
                                checkpointInterval.toMillis() + "ms",
                                "--gru.batch.max-size",
                                Integer.toString(batchSize)
                            },
                            dev.flinkgru.jobs.recommend.RecommendationOptions.class);
            config.setString(
                    "metrics.reporter.demo.factory.class",
                    DemoMetricsReporter.Factory.class.getName());
            config.setString("metrics.reporter.demo.interval", "1 s");
            DemoMetricsReporter.reset();

            StreamExecutionEnvironment env =
                    LocalCluster.environment(
                            "flink-gru demo",
                            LocalCluster.forJobs(workDir.resolve("demo"), config));
            env.setParallelism(parallelism);
            GruKafkaPipeline.build(env, config, scenario.codec());
            say(
                    String.format(
                            Locale.ROOT,
                            "running the %s job: %d events/s over %s keys, parallelism %d, batch size"
                                    + " %d, exactly-once with a checkpoint every %d ms",
                            scenario.name(),
                            rate,
                            "generated",
                            parallelism,
                            batchSize,
                            checkpointInterval.toMillis()));
            JobClient client = env.executeAsync("flink-gru demo: " + scenario.name());
            Thread producer = new Thread(() -> produce(servers), "demo-producer");
            Thread consumer = new Thread(() -> consume(servers), "demo-consumer");
            producer.start();
            consumer.start();
            long began = System.nanoTime();
            try {
                watch(client, began);
            } finally {
                stop.countDown();
                producer.join();
                drain();
                consuming = false;
                consumer.join();
                client.cancel().get(30, TimeUnit.SECONDS);
                // Wait for the job's end, so no task still talks to the broker when it stops.
                client.getJobExecutionResult()
                        .handle((result, error) -> null)
                        .get(60, TimeUnit.SECONDS);
            }
            if (failure.get() != null) {
                throw new CliException(
                        CliException.FAILURE,
                        "the job failed: " + rootMessage(failure.get()),
                        failure.get());
            }
            printSummary(began);
            return 0;
        }

        /** Prints status lines and samples until the duration ends, Ctrl-C, or a failure. */
        private void watch(JobClient client, long began) throws Exception {
            long deadline = duration.isZero() ? Long.MAX_VALUE : began + duration.toNanos();
            long nextSamples = began + SAMPLES_EVERY.toNanos();
            long lastProduced = 0;
            long lastTime = began;
            while (!stop.await(STATUS_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                JobStatus status = client.getJobStatus().get();
                if (status.isGloballyTerminalState()) {
                    client.getJobExecutionResult()
                            .handle(
                                    (r, t) ->
                                            failure.compareAndSet(
                                                    null,
                                                    t != null
                                                            ? t
                                                            : new IllegalStateException(
                                                                    "job ended: " + status)))
                            .get();
                    return;
                }
                long now = System.nanoTime();
                long in = produced.get();
                System.out.println(
                        String.format(
                                Locale.ROOT,
                                "[%4ds] events in %,9d | predictions out %,9d | %,7.0f events/s |"
                                        + " mean batch %5.1f | p99 event→prediction %,6d ms |"
                                        + " refused %d",
                                TimeUnit.NANOSECONDS.toSeconds(now - began),
                                in,
                                consumed.get(),
                                (in - lastProduced) / ((now - lastTime) / 1e9),
                                DemoMetricsReporter.meanBatchSize(),
                                latencies.p99AndReset(),
                                DemoMetricsReporter.refused()));
                lastProduced = in;
                lastTime = now;
                if (now >= nextSamples) {
                    scenario.samples().forEach(System.out::println);
                    nextSamples = now + SAMPLES_EVERY.toNanos();
                }
                if (now >= deadline) {
                    return;
                }
            }
            say("stopping (Ctrl-C) ...");
        }

        private void produce(String servers) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                long began = System.nanoTime();
                while (!stop.await(10, TimeUnit.MILLISECONDS)) {
                    long due = (long) ((System.nanoTime() - began) / 1e9 * rate) - produced.get();
                    if (due <= 0) {
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    for (String[] record : scenario.nextRecords((int) Math.min(due, rate), now)) {
                        producer.send(new ProducerRecord<>(inputTopic, record[0], record[1]));
                        produced.incrementAndGet();
                    }
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                stop.countDown();
            }
        }

        private void consume(String servers) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class.getName());
            props.put(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class.getName());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(outputTopic)
                        .forEach(
                                p ->
                                        partitions.add(
                                                new TopicPartition(outputTopic, p.partition())));
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (consuming) {
                    for (ConsumerRecord<String, String> record :
                            consumer.poll(Duration.ofMillis(200))) {
                        long now = System.currentTimeMillis();
                        JsonNode prediction = JSON.readTree(record.value());
                        latencies.add(now - prediction.get("ts").asLong());
                        scenario.onPrediction(prediction);
                        consumed.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
                stop.countDown();
            }
        }

        /** Gives the job a few checkpoints to commit what was produced. */
        private void drain() throws InterruptedException {
            long deadline =
                    System.nanoTime() + checkpointInterval.multipliedBy(5).plusSeconds(5).toNanos();
            while (consumed.get() < produced.get()
                    && System.nanoTime() < deadline
                    && failure.get() == null) {
                Thread.sleep(100);
            }
        }

        private void printSummary(long began) throws Exception {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
            System.out.println();
            System.out.println(
                    "flink-gru demo (" + scenario.name() + ") finished after " + seconds + " s");
            System.out.println(
                    String.format(
                            Locale.ROOT,
                            "events in %,d | predictions out %,d (read_committed) | mean batch %.1f | refused %d",
                            produced.get(),
                            consumed.get(),
                            DemoMetricsReporter.meanBatchSize(),
                            DemoMetricsReporter.refused()));
            scenario.summary().forEach(System.out::println);
            Path chart = scenario.writeChart(workDir.resolve("demo"));
            System.out.println("chart: " + chart.toAbsolutePath());
        }

        private static String rootMessage(Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return String.valueOf(root.getMessage()).split("\n", 2)[0];
        }

        private static void say(String line) {
            System.out.println("demo: " + line);
        }
    }

    /** Event→prediction latencies of one status interval. */
    private static final class LatencyWindow {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long millis) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = millis;
        }

        synchronized long p99AndReset() {
            if (size == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            size = 0;
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
        }
    }
}
