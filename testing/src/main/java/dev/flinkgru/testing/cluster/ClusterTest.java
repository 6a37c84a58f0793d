package dev.flinkgru.testing.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.testing.kafka.LocalKafka;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The cluster test: the shaded job jar of {@code SensorForecastJob} on a real Flink standalone
 * session cluster (a JobManager and two TaskManagers, each a JVM of its own, see {@link
 * StandaloneCluster}) with a real Kafka broker ({@link LocalKafka}), one TaskManager killed with
 * SIGKILL while the job runs.
 *
 * <ol>
 *   <li>Submits the job jar through Flink's REST API ({@code /jars/upload}, {@code /jars/:id/run})
 *       with the torch fixture {@code models/fixtures/tiny} as the model, parallelism 2, exactly
 *       once, a checkpoint every second.
 *   <li>Produces the first third of the fixture's events and waits until their predictions are
 *       readable with {@code read_committed}.
 *   <li>Produces the second third at a steady rate; halfway through, kills the TaskManager that
 *       runs the Kafka sink (SIGKILL) and starts a new one.
 *   <li>Waits until the job has restarted from a checkpoint ({@code numRestarts}, restored
 *       checkpoints), runs every task again, on the new TaskManager and not on the dead one, and
 *       completes a checkpoint after the restart.
 *   <li>Produces the last third and waits for every prediction.
 *   <li>After one more checkpoint, reads the output topic from the start with {@code
 *       read_committed}: exactly one forecast per event, each equal to torch's within |Δ| ≤ 1e-5 +
 *       1e-5·|expected|, and no dead letters.
 * </ol>
 *
 * <p>{@link #main} runs it from {@code docker/cluster-test.sh}; {@code StandaloneClusterITCase}
 * runs {@link #run(Options)}. The last line printed is {@code cluster-test: PASS ...} or {@code
 * cluster-test: FAIL <reason>}, and the exit code agrees. The work directory (the cluster's
 * configuration and logs, the broker's) is deleted after a pass and kept after a failure.
 */
public final class ClusterTest {

    /** Prefix of the verdict line. */
    public static final String PREFIX = "cluster-test: ";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int PARALLELISM = 2;

    private final Options options;
    private final long began = System.nanoTime();
    private final Counts counts = new Counts();
    private final List<Path> logs = new ArrayList<>();

    private ClusterTest(Options options) {
        this.options = options;
    }

    /**
     * Where the test finds its inputs and keeps its files.
     *
     * @param root the repository root (models/fixtures/tiny)
     * @param workDir the work directory for the cluster and the broker
     * @param jobJar the shaded job jar
     * @param flinkLib the classpath of the cluster's JVMs (Flink's lib/)
     * @param keepWorkDir keep the work directory after a pass too
     */
    public record Options(
            Path root, Path workDir, Path jobJar, List<Path> flinkLib, boolean keepWorkDir) {

        /**
         * Options found from the repository root: {@code jobs/target/flink-gru-jobs-*-job.jar}, the
         * jars of {@code jobs/target/flink-lib.classpath} and {@code jobs/target/flink-lib-extra/},
         * as {@code mvn -pl jobs package} writes them.
         */
        public static Options fromRoot(Path root, Path workDir) {
            Path target = root.resolve("jobs/target");
            Path jobJar = ClusterTest.jobJar(root);
            List<Path> lib = new ArrayList<>();
            Path classpath = target.resolve("flink-lib.classpath");
            try {
                for (String entry : Files.readString(classpath).trim().split(File.pathSeparator)) {
                    if (!entry.isBlank()) {
                        lib.add(Path.of(entry));
                    }
                }
                try (Stream<Path> extra = Files.list(target.resolve("flink-lib-extra"))) {
                    extra.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(lib::add);
                }
            } catch (IOException e) {
                throw new IllegalStateException(
                        "No Flink lib classpath ("
                                + classpath
                                + " and jobs/target/flink-lib-extra/); build it with: mvn -pl"
                                + " jobs package -DskipTests");
            }
            return new Options(root, workDir, jobJar, lib, false);
        }

        /** The same options, keeping the work directory after a pass too. */
        public Options keepingWorkDir() {
            return new Options(root, workDir, jobJar, flinkLib, true);
        }
    }

    /**
     * What the test saw.
     *
     * @param passed whether every check held
     * @param reason why it failed (empty after a pass)
     * @param events events produced
     * @param predictions forecasts read back with read_committed
     * @param duplicates forecasts beyond the first for an event
     * @param missing events without a forecast
     * @param mismatches forecasts that differ from torch's
     * @param deadLetters records on the dead-letter topic
     * @param taskManagerKills TaskManagers killed with SIGKILL
     * @param restarts the job's restarts ({@code numRestarts})
     * @param forecasts the forecasts read back, by event (the fixture's seq)
     * @param seconds the run time
     */
    public record Result(
            boolean passed,
            String reason,
            int events,
            int predictions,
            int duplicates,
            int missing,
            int mismatches,
            int deadLetters,
            int taskManagerKills,
            long restarts,
            Map<Long, float[]> forecasts,
            double seconds) {

        /** The verdict line, {@code cluster-test: PASS <counts>} or {@code FAIL <reason>}. */
        public String line() {
            String countsText =
                    String.format(
                            Locale.ROOT,
                            "events=%d predictions=%d duplicates=%d missing=%d"
                                    + " taskmanager-kills=%d restarts=%d",
                            events,
                            predictions,
                            duplicates,
                            missing,
                            taskManagerKills,
                            restarts);
            return PREFIX
                    + (passed ? "PASS " + countsText : "FAIL " + reason + " (" + countsText + ")");
        }
    }

    /** A check that did not hold; its message is the verdict's reason. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String reason) {
            super(reason);
        }
    }

    /** Counts filled in as the test goes, so that a failure still reports them. */
    private static final class Counts {
        int events;
        int predictions;
        int duplicates;
        int missing;
        int mismatches;
        int deadLetters = -1;
        int kills;
        long restarts;
        Map<Long, float[]> forecasts = Map.of();
    }

    // ---------------------------------------------------------------- entry points

    /**
     * {@code ClusterTest [--root DIR] [--work-dir DIR] [--keep-work-dir]}; the root defaults to the
     * {@code flinkgru.home} system property, else the nearest directory above the current one with
     * {@code models/fixtures/tiny}. Exit code 0 on PASS, 1 on FAIL, 2 on bad arguments.
     */
    public static void main(String[] args) {
        Path root = null;
        Path workDir = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(value(args, ++i));
                case "--work-dir" -> workDir = Path.of(value(args, ++i));
                case "--keep-work-dir" -> keep = true;
                default -> {
                    System.err.println(
                            "usage: ClusterTest [--root DIR] [--work-dir DIR] [--keep-work-dir]");
                    System.exit(2);
                }
            }
        }
        Result result;
        try {
            Path repo = root != null ? root.toAbsolutePath() : findRoot();
            Path dir =
                    workDir != null
                            ? workDir.toAbsolutePath()
                            : Files.createTempDirectory("flink-gru-cluster-test-");
            Options options = Options.fromRoot(repo, dir);
            result = run(keep ? options.keepingWorkDir() : options);
        } catch (IOException | RuntimeException e) {
            result = new Result(false, e.getMessage(), 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0);
        }
        System.out.println(result.line());
        System.out.flush();
        System.exit(result.passed() ? 0 : 1);
    }

    /** Runs the test; never throws for a failed check, the result says what failed. */
    public static Result run(Options options) {
        return new ClusterTest(options).run();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println(args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /**
     * The newest shaded job jar, {@code jobs/target/flink-gru-jobs-*-job.jar}, under the repository
     * root.
     *
     * @throws IllegalStateException if there is none, saying how to build it
     */
    public static Path jobJar(Path root) {
        try (Stream<Path> files = Files.list(root.resolve("jobs/target"))) {
            Optional<Path> jar =
                    files.filter(
                                    f -> {
                                        String n = f.getFileName().toString();
                                        return n.startsWith("flink-gru-jobs-")
                                                && n.endsWith("-job.jar");
                                    })
                            .max(Comparator.comparingLong(ClusterTest::modified));
            if (jar.isPresent()) {
                return jar.get();
            }
        } catch (IOException e) {
            // reported below
        }
        throw new IllegalStateException(
                "No job jar jobs/target/flink-gru-jobs-*-job.jar under "
                        + root
                        + "; build it with: mvn -pl jobs package -DskipTests");
    }

    /** The repository root: {@code flinkgru.home}, else the nearest parent with the fixtures. */
    public static Path findRoot() {
        String home = System.getProperty("flinkgru.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("models/fixtures/tiny/model.pt"))
                    && Files.isDirectory(dir.resolve("jobs"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "Cannot find the repository root (models/fixtures/tiny) above "
                        + Path.of("").toAbsolutePath()
                        + "; pass --root or -Dflinkgru.home");
    }

    // ---------------------------------------------------------------- the test

    private Result run() {
        String reason = "";
        try {
            Files.createDirectories(options.workDir());
            Fixture tiny = Fixture.load(options.root().resolve("models/fixtures/tiny"));
            counts.events = tiny.events.size();
            say("work directory " + options.workDir());
            try (LocalKafka kafka =
                    LocalKafka.builder(options.workDir().resolve("kafka"))
                            .optPartitions(PARALLELISM)
                            // Time-based retention every second from the start (defaults: every
                            // 5 min, first after 30 s): output stamped too old is lost in the run.
                            .optConfig("log.initial.task.delay.ms", "1000")
                            .optConfig("log.retention.check.interval.ms", "1000")
                            .start()) {
                logs.add(kafka.logFile());
                say("Kafka broker at " + kafka.bootstrapServers());
                try (StandaloneCluster cluster =
                        StandaloneCluster.builder(
                                        options.workDir().resolve("flink"), options.flinkLib())
                                .optTaskManagers(2)
                                .optSlotsPerTaskManager(1)
                                .start()) {
                    say(
                            "Flink cluster: JobManager at "
                                    + cluster.rest().base()
                                    + ", TaskManagers "
                                    + cluster.liveTaskManagers());
                    try {
                        exercise(kafka, cluster, tiny);
                    } finally {
                        logs.addAll(cluster.logFiles());
                    }
                }
            }
        } catch (Failure e) {
            reason = e.getMessage();
        } catch (IOException | RuntimeException e) {
            reason = e.toString();
        }
        boolean passed = reason.isEmpty();
        double seconds = (System.nanoTime() - began) / 1e9;
        if (passed && !options.keepWorkDir()) {
            deleteRecursively(options.workDir());
        } else if (!passed) {
            System.out.println("logs (kept):");
            logs.forEach(log -> System.out.println("  " + log));
            if (logs.isEmpty()) {
                System.out.println("  " + options.workDir());
            }
        }
        say(String.format(Locale.ROOT, "done in %.1f s", seconds));
        return new Result(
                passed,
                reason,
                counts.events,
                counts.predictions,
                counts.duplicates,
                counts.missing,
                counts.mismatches,
                counts.deadLetters,
                counts.kills,
                counts.restarts,
                counts.forecasts,
                seconds);
    }

    private void exercise(LocalKafka kafka, StandaloneCluster cluster, Fixture tiny)
            throws IOException {
        FlinkRest rest = cluster.rest();
        String name = "cluster-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        String in = name + "-in";
        String out = name + "-out";
        String dlq = name + "-dlq";
        String servers = kafka.bootstrapServers();
        kafka.createTopics(in, out, dlq);

        String jarId = rest.uploadJar(options.jobJar());
        Map<String, String> jobOptions = new LinkedHashMap<>();
        jobOptions.put("kafka.bootstrap-servers", servers);
        jobOptions.put("kafka.input-topic", in);
        jobOptions.put("kafka.output-topic", out);
        jobOptions.put("kafka.dead-letter-topic", dlq);
        jobOptions.put("kafka.group-id", name);
        jobOptions.put("kafka.transactional-id-prefix", name);
        jobOptions.put("job.parallelism", Integer.toString(PARALLELISM));
        jobOptions.put("job.checkpoint-interval", "1s");
        jobOptions.put("gru.model.features", Integer.toString(tiny.features));
        jobOptions.put("gru.model.path", tiny.model.toString());
        jobOptions.put("gru.model.hidden-size", Integer.toString(tiny.hidden));
        jobOptions.put("gru.model.layers", Integer.toString(tiny.layers));
        jobOptions.put("gru.batch.max-size", "16");
        List<String> args = new ArrayList<>();
        jobOptions.forEach(
                (key, value) -> {
                    args.add("--" + key);
                    args.add(value);
                });
        String jobId = rest.runJar(jarId, args, PARALLELISM);
        say("submitted " + options.jobJar().getFileName() + " as job " + jobId);
        BooleanSupplier jobAlive = () -> checkNotTerminal(rest, jobId);
        await(
                "every task of the job RUNNING",
                Duration.ofSeconds(90),
                () -> jobAlive.getAsBoolean() && rest.allTasksRunning(jobId));
        say("job running");

        List<String[]> records = tiny.records(System.currentTimeMillis());
        int n = records.size();
        int first = n / 3;
        int second = 2 * n / 3;
        try (KafkaProducer<String, String> producer = producer(servers);
                CommittedReader reader = new CommittedReader(servers, out)) {
            send(producer, in, records.subList(0, first));
            await(
                    "the first " + first + " forecasts committed",
                    Duration.ofSeconds(60),
                    () -> jobAlive.getAsBoolean() && reader.poll() >= first);
            say(reader.distinct() + " forecasts committed");

            // The second third at a steady rate, in the background; the kill comes halfway.
            AtomicInteger sent = new AtomicInteger();
            AtomicReference<RuntimeException> sendFailure = new AtomicReference<>();
            Thread feeder =
                    new Thread(
                            () -> {
                                try {
                                    for (String[] r : records.subList(first, second)) {
                                        producer.send(
                                                new ProducerRecord<>(in, r[0], r[1]),
                                                (metadata, e) -> {
                                                    if (e == null) {
                                                        sent.incrementAndGet();
                                                    } else {
                                                        sendFailure.compareAndSet(
                                                                null,
                                                                new IllegalStateException(
                                                                        "producing failed", e));
                                                    }
                                                });
                                        Thread.sleep(15); // pacing: about 60 events/s
                                    }
                                    producer.flush();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "cluster-test-feeder");
            feeder.setDaemon(true);
            String victim = sinkTaskManager(rest, jobId);
            feeder.start();
            int half = (second - first) / 2;
            await(
                    "half of the second third produced",
                    Duration.ofSeconds(30),
                    () -> sent.get() >= half || sendFailure.get() != null);
            int producedAtKill = first + sent.get();
            int committedAtKill = reader.distinct();
            cluster.killTaskManager(victim);
            counts.kills++;
            say(
                    "killed TaskManager "
                            + victim
                            + " (SIGKILL, it ran the Kafka sink) after "
                            + producedAtKill
                            + " of "
                            + n
                            + " events, "
                            + committedAtKill
                            + " forecasts committed");
            String replacement = cluster.startTaskManager();
            say("started TaskManager " + replacement);

            await(
                    "the job to restart from a checkpoint and run every task again",
                    Duration.ofSeconds(120),
                    () -> {
                        if (!jobAlive.getAsBoolean()) {
                            return false;
                        }
                        counts.restarts = Math.max(0, rest.jobMetric(jobId, "numRestarts"));
                        return counts.restarts >= 1
                                && rest.checkpointCounts(jobId).path("restored").asLong() >= 1
                                && rest.allTasksRunning(jobId);
                    });
            Set<String> running = new LinkedHashSet<>();
            for (String[] vertex : rest.vertices(jobId)) {
                running.addAll(rest.vertexTaskManagers(jobId, vertex[0]));
            }
            check(
                    !running.contains(victim),
                    "tasks still on the killed TaskManager " + victim + ": " + running);
            check(
                    running.contains(replacement),
                    "no task on the new TaskManager " + replacement + ": " + running);
            long completed = rest.checkpointCounts(jobId).path("completed").asLong();
            await(
                    "a checkpoint completed after the restart",
                    Duration.ofSeconds(60),
                    () -> rest.checkpointCounts(jobId).path("completed").asLong() > completed);
            say(
                    "job recovered: restarts="
                            + counts.restarts
                            + ", tasks on "
                            + running
                            + ", checkpoint completed");

            try {
                feeder.join(Duration.ofSeconds(60).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
            check(!feeder.isAlive(), "the producer of the second third did not finish");
            if (sendFailure.get() != null) {
                throw sendFailure.get();
            }
            send(producer, in, records.subList(second, n));
            await(
                    "all " + n + " forecasts committed",
                    Duration.ofSeconds(90),
                    () -> jobAlive.getAsBoolean() && reader.poll() >= n);
            long settled = rest.checkpointCounts(jobId).path("completed").asLong();
            await(
                    "one more checkpoint",
                    Duration.ofSeconds(30),
                    () -> rest.checkpointCounts(jobId).path("completed").asLong() > settled);
            counts.restarts = Math.max(0, rest.jobMetric(jobId, "numRestarts"));
        }
        verify(tiny, readCommitted(servers, out), readCommitted(servers, dlq));
        rest.cancel(jobId);
    }

    /** The final verdict on what a fresh read_committed consumer sees. */
    private void verify(
            Fixture tiny,
            List<ConsumerRecord<String, String>> output,
            List<ConsumerRecord<String, String>> deadLetters) {
        Map<Long, float[]> forecasts = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int duplicates = 0;
        for (ConsumerRecord<String, String> record : output) {
            JsonNode node;
            try {
                node = JSON.readTree(record.value());
            } catch (IOException e) {
                problems.add("unreadable forecast " + record.value());
                continue;
            }
            Long seq = tiny.seqOf(node.path("sensor").asText(), node.path("ts").asLong());
            if (seq == null) {
                problems.add("forecast of no event produced: " + record.value());
                continue;
            }
            if (!node.path("sensor").asText().equals(record.key())) {
                problems.add(
                        "record key " + record.key() + " is not the sensor of " + record.value());
            }
            JsonNode values = node.path("forecast");
            float[] forecast = new float[values.size()];
            for (int i = 0; i < forecast.length; i++) {
                forecast[i] = (float) values.get(i).asDouble();
            }
            if (forecasts.put(seq, forecast) != null) {
                duplicates++;
            }
        }
        int missing = 0;
        int mismatches = 0;
        for (Map.Entry<Long, float[]> e : tiny.expected.entrySet()) {
            float[] actual = forecasts.get(e.getKey());
            if (actual == null) {
                missing++;
            } else if (!close(actual, e.getValue())) {
                mismatches++;
                if (problems.size() < 5) {
                    problems.add(
                            "forecast of event "
                                    + e.getKey()
                                    + " is "
                                    + java.util.Arrays.toString(actual)
                                    + ", torch gave "
                                    + java.util.Arrays.toString(e.getValue()));
                }
            }
        }
        int unexpected = 0;
        for (Long ts : forecasts.keySet()) {
            if (!tiny.expected.containsKey(ts)) {
                unexpected++;
            }
        }
        counts.predictions = output.size();
        counts.duplicates = duplicates;
        counts.missing = missing;
        counts.mismatches = mismatches;
        counts.deadLetters = deadLetters.size();
        counts.forecasts = forecasts;
        say(
                String.format(
                        Locale.ROOT,
                        "read back: %d forecasts, %d distinct, %d duplicates, %d missing, %d differ"
                                + " from torch, %d dead letters",
                        output.size(),
                        forecasts.size(),
                        duplicates,
                        missing,
                        mismatches,
                        deadLetters.size()));
        check(duplicates == 0, duplicates + " duplicate forecasts");
        check(missing == 0, missing + " events without a forecast");
        check(unexpected == 0, unexpected + " forecasts of events never produced");
        check(mismatches == 0, mismatches + " forecasts differ from torch: " + problems);
        check(problems.isEmpty(), String.join("; ", problems));
        check(
                deadLetters.isEmpty(),
                deadLetters.size()
                        + " dead letters, e.g. "
                        + (deadLetters.isEmpty() ? "" : deadLetters.get(0).value()));
    }

    /** flink-gru's float32 agreement rule with PyTorch: |Δ| ≤ 1e-5 + 1e-5·|expected|. */
    static boolean close(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return false;
        }
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 + 1e-5 * Math.abs(expected[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The TaskManager that runs the predictions' Kafka sink (parallelism 1). */
    private static String sinkTaskManager(FlinkRest rest, String jobId) {
        List<String> names = new ArrayList<>();
        for (String[] vertex : rest.vertices(jobId)) {
            names.add(vertex[1]);
            if (vertex[1].contains("kafka: predictions")) {
                List<String> tms = rest.vertexTaskManagers(jobId, vertex[0]);
                check(
                        tms.size() == 1,
                        "the predictions' sink runs on " + tms + ", not one TaskManager");
                return tms.get(0);
            }
        }
        throw new Failure("no vertex 'kafka: predictions' in job " + jobId + ": " + names);
    }

    /** True while the job has not reached a terminal state; a failed job fails the test. */
    private static boolean checkNotTerminal(FlinkRest rest, String jobId) {
        String state = rest.jobState(jobId);
        switch (state) {
            case "FAILED", "CANCELED", "FINISHED", "SUSPENDED" -> {
                String cause = rest.rootException(jobId);
                int end = cause.indexOf('\n', Math.min(cause.length(), 300));
                throw new Failure(
                        "job "
                                + jobId
                                + " is "
                                + state
                                + (cause.isEmpty()
                                        ? ""
                                        : ": " + (end < 0 ? cause : cause.substring(0, end))));
            }
            default -> {
                return true;
            }
        }
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new Failure(
                        "timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted while waiting for " + what);
            }
        }
    }

    private static void check(boolean condition, String reason) {
        if (!condition) {
            throw new Failure(reason);
        }
    }

    private void say(String message) {
        System.out.printf(Locale.ROOT, "[%5.1fs] %s%n", (System.nanoTime() - began) / 1e9, message);
        System.out.flush();
    }

    // ---------------------------------------------------------------- Kafka

    private static KafkaProducer<String, String> producer(String servers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static void send(
            KafkaProducer<String, String> producer, String topic, List<String[]> records) {
        for (String[] r : records) {
            producer.send(new ProducerRecord<>(topic, r[0], r[1]));
        }
        producer.flush();
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

    private static List<TopicPartition> assignFromStart(
            KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic)
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    /** Every committed record of {@code topic}, from the start to its end as of this call. */
    static List<ConsumerRecord<String, String>> readCommitted(String servers, String topic) {
        try (KafkaConsumer<String, String> consumer = consumer(servers)) {
            List<TopicPartition> partitions = assignFromStart(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (end.entrySet().stream()
                    .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new Failure("could not read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** Follows the output topic with read_committed, counting distinct events seen. */
    private static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Set<String> seen = new java.util.HashSet<>();

        CommittedReader(String servers, String topic) {
            consumer = consumer(servers);
            assignFromStart(consumer, topic);
        }

        /** Reads what is there now; returns the number of distinct events with a forecast. */
        int poll() {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                try {
                    JsonNode node = JSON.readTree(record.value());
                    seen.add(node.path("sensor").asText() + "@" + node.path("ts").asLong());
                } catch (IOException e) {
                    throw new Failure("unreadable forecast " + record.value());
                }
            }
            return seen.size();
        }

        int distinct() {
            return seen.size();
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    // ---------------------------------------------------------------- the fixture

    /** A torch fixture of {@code models/make_fixtures.py}: model, events, torch's outputs. */
    static final class Fixture {
        final Path model;
        final int features;
        final int hidden;
        final int layers;
        final int outputs;

        /** Rows of events.csv: seq, key, x0..x{F-1}. */
        final List<String[]> events;

        /** Torch's outputs by seq. */
        final Map<Long, float[]> expected = new LinkedHashMap<>();

        /** The seq of each reading of {@link #records}, by "sensor@ts". */
        private final Map<String, Long> seqByReading = new HashMap<>();

        private Fixture(Path dir) throws IOException {
            Properties meta = new Properties();
            try (InputStream in = Files.newInputStream(dir.resolve("meta.properties"))) {
                meta.load(in);
            }
            model = dir.resolve("model.pt").toAbsolutePath();
            features = Integer.parseInt(meta.getProperty("features"));
            hidden = Integer.parseInt(meta.getProperty("hidden"));
            layers = Integer.parseInt(meta.getProperty("layers"));
            outputs = Integer.parseInt(meta.getProperty("outputs"));
            events = rows(dir.resolve("events.csv"));
            for (String[] row : rows(dir.resolve("expected.csv"))) {
                float[] y = new float[outputs];
                for (int i = 0; i < outputs; i++) {
                    y[i] = Float.parseFloat(row[2 + i]);
                }
                expected.put(Long.parseLong(row[0]), y);
            }
        }

        static Fixture load(Path dir) {
            try {
                return new Fixture(dir);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(
                        "Cannot read the torch fixture in " + dir + ": " + e, e);
            }
        }

        /**
         * The events as sensor readings (key, JSON) with realistic event times, sensor = key and
         * values = x: every third sensor backfills its history from six years before {@code now} (a
         * reading a minute), the others are live (a reading a second, the last one at {@code now}).
         * Fills {@link #seqOf} for reading the forecasts back.
         */
        List<String[]> records(long now) {
            long backfillStart = now - Duration.ofDays(6 * 365).toMillis();
            List<String[]> records = new ArrayList<>();
            seqByReading.clear();
            for (String[] row : events) {
                long seq = Long.parseLong(row[0]);
                String sensor = row[1];
                long ts =
                        Math.floorMod(sensor.hashCode(), 3) == 0
                                ? backfillStart + seq * 60_000
                                : now - (events.size() - 1 - seq) * 1_000;
                seqByReading.put(sensor + "@" + ts, seq);
                StringBuilder values = new StringBuilder();
                for (int i = 0; i < features; i++) {
                    values.append(i == 0 ? "" : ",").append(Float.parseFloat(row[2 + i]));
                }
                records.add(
                        new String[] {
                            sensor,
                            "{\"sensor\":\""
                                    + sensor
                                    + "\",\"ts\":"
                                    + ts
                                    + ",\"values\":["
                                    + values
                                    + "]}"
                        });
            }
            return records;
        }

        /** The seq of the event of {@code sensor} at {@code ts}, or null for none. */
        Long seqOf(String sensor, long ts) {
            return seqByReading.get(sensor + "@" + ts);
        }

        private static List<String[]> rows(Path file) throws IOException {
            List<String> lines = Files.readAllLines(file);
            List<String[]> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank()) {
                    rows.add(line.split(","));
                }
            }
            return rows;
        }
    }

    // ---------------------------------------------------------------- files

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("could not delete " + dir + ": " + e);
        }
    }
}
