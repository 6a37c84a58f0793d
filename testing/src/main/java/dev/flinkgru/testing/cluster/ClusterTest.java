package dev.flinkgru.testing.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.testing.kafka.LocalKafka;
import java.io.File;
import java.io.IOException;
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
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
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
 * StandaloneCluster}) with a real Kafka broker ({@link LocalKafka}), TaskManagers killed with
 * SIGKILL and the broker restarted while the job runs.
 *
 * <ol>
 *   <li>Submits the job jar through Flink's REST API ({@code /jars/upload}, {@code /jars/:id/run})
 *       with the torch fixture {@code models/fixtures/tiny} as the model, parallelism 2, exactly
 *       once, a checkpoint every second.
 *   <li>Produces one round of the fixture's events (its 746 readings under keys of the round's own,
 *       see {@link FixtureFeed}) and waits until their forecasts are readable with {@code
 *       read_committed}.
 *   <li>Produces further rounds at a steady rate while it kills TaskManagers, {@code --kills} times
 *       (in turn: one running the predictions' sink, one running the GRU operator, a random one),
 *       each with SIGKILL and followed by a new TaskManager; after each kill it waits until the job
 *       has restarted from a checkpoint, runs every task again (on live TaskManagers only) and has
 *       completed a checkpoint. Then it restarts the Kafka broker ({@code --broker-restarts}).
 *   <li>Stops producing, waits for every forecast, and after one more checkpoint reads the output
 *       topic from the start with {@code read_committed}: exactly one forecast per reading, each
 *       equal to torch's within |Δ| ≤ 1e-5 + 1e-5·|expected|, and no dead letters.
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
     * Where the test finds its inputs and keeps its files, and what it does to the cluster.
     *
     * @param root the repository root (models/fixtures/tiny)
     * @param workDir the work directory for the cluster and the broker
     * @param jobJar the shaded job jar
     * @param flinkLib the classpath of the cluster's JVMs (Flink's lib/)
     * @param keepWorkDir keep the work directory after a pass too
     * @param kills TaskManagers to kill with SIGKILL, one after another
     * @param brokerRestarts restarts of the Kafka broker after the kills
     * @param sinkParallelism the job's kafka.sink-parallelism
     * @param transactionVersion the broker's transaction.version
     * @param rate readings per second produced while the kills go on
     */
    public record Options(
            Path root,
            Path workDir,
            Path jobJar,
            List<Path> flinkLib,
            boolean keepWorkDir,
            int kills,
            int brokerRestarts,
            int sinkParallelism,
            int transactionVersion,
            int rate) {

        /**
         * Options found from the repository root: {@code jobs/target/flink-gru-jobs-*-job.jar}, the
         * jars of {@code jobs/target/flink-lib.classpath} and {@code jobs/target/flink-lib-extra/},
         * as {@code mvn -pl jobs package} writes them; one kill, one broker restart.
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
            return new Options(root, workDir, jobJar, lib, false, 1, 1, PARALLELISM, 1, 100);
        }

        /** The same options, keeping the work directory after a pass too. */
        public Options keepingWorkDir() {
            return new Options(
                    root,
                    workDir,
                    jobJar,
                    flinkLib,
                    true,
                    kills,
                    brokerRestarts,
                    sinkParallelism,
                    transactionVersion,
                    rate);
        }

        /** The same options with {@code kills} TaskManager kills. */
        public Options withKills(int kills) {
            return new Options(
                    root,
                    workDir,
                    jobJar,
                    flinkLib,
                    keepWorkDir,
                    kills,
                    brokerRestarts,
                    sinkParallelism,
                    transactionVersion,
                    rate);
        }

        /** The same options with {@code brokerRestarts} restarts of the broker. */
        public Options withBrokerRestarts(int brokerRestarts) {
            return new Options(
                    root,
                    workDir,
                    jobJar,
                    flinkLib,
                    keepWorkDir,
                    kills,
                    brokerRestarts,
                    sinkParallelism,
                    transactionVersion,
                    rate);
        }

        /** The same options with the Kafka sinks at {@code sinkParallelism}. */
        public Options withSinkParallelism(int sinkParallelism) {
            return new Options(
                    root,
                    workDir,
                    jobJar,
                    flinkLib,
                    keepWorkDir,
                    kills,
                    brokerRestarts,
                    sinkParallelism,
                    transactionVersion,
                    rate);
        }

        /** The same options with the broker formatted at {@code transactionVersion}. */
        public Options withTransactionVersion(int transactionVersion) {
            return new Options(
                    root,
                    workDir,
                    jobJar,
                    flinkLib,
                    keepWorkDir,
                    kills,
                    brokerRestarts,
                    sinkParallelism,
                    transactionVersion,
                    rate);
        }
    }

    /**
     * What the test saw.
     *
     * @param passed whether every check held
     * @param reason why it failed (empty after a pass)
     * @param events readings produced
     * @param predictions forecasts read back with read_committed
     * @param duplicates forecasts beyond the first for a reading
     * @param missing readings without a forecast
     * @param mismatches forecasts that differ from torch's
     * @param deadLetters records on the dead-letter topic
     * @param taskManagerKills TaskManagers killed with SIGKILL
     * @param brokerRestarts restarts of the Kafka broker
     * @param restarts the job's restarts ({@code numRestarts})
     * @param eventsPerRound readings in one round of the fixture
     * @param forecasts the forecasts read back, by reading id ({@code round * eventsPerRound +
     *     seq}; torch's output for it is the fixture's for {@code id % eventsPerRound})
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
            int brokerRestarts,
            long restarts,
            int eventsPerRound,
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
        int brokerRestarts;
        long restarts;
        int eventsPerRound;
        Map<Long, float[]> forecasts = Map.of();
    }

    // ---------------------------------------------------------------- entry points

    private static final String USAGE =
            "usage: ClusterTest [--root DIR] [--work-dir DIR] [--keep-work-dir] [--kills K]"
                    + " [--broker-restarts N] [--sink-parallelism P] [--transaction-version V]"
                    + " [--rate EVENTS_PER_S]";

    /**
     * {@value #USAGE}; the root defaults to the {@code flinkgru.home} system property, else the
     * nearest directory above the current one with {@code models/fixtures/tiny}. Exit code 0 on
     * PASS, 1 on FAIL, 2 on bad arguments.
     */
    public static void main(String[] args) {
        Path root = null;
        Path workDir = null;
        boolean keep = false;
        int kills = 1;
        int brokerRestarts = 1;
        int sinkParallelism = PARALLELISM;
        int transactionVersion = 1;
        int rate = 100;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--root" -> root = Path.of(value(args, ++i));
                    case "--work-dir" -> workDir = Path.of(value(args, ++i));
                    case "--keep-work-dir" -> keep = true;
                    case "--kills" -> kills = number(args, ++i, 0);
                    case "--broker-restarts" -> brokerRestarts = number(args, ++i, 0);
                    case "--sink-parallelism" -> sinkParallelism = number(args, ++i, 1);
                    case "--transaction-version" -> transactionVersion = number(args, ++i, 0);
                    case "--rate" -> rate = number(args, ++i, 1);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        Result result;
        try {
            Path repo = root != null ? root.toAbsolutePath() : findRoot();
            Path dir =
                    workDir != null
                            ? workDir.toAbsolutePath()
                            : Files.createTempDirectory("flink-gru-cluster-test-");
            Options defaults = Options.fromRoot(repo, dir);
            Options options =
                    new Options(
                            defaults.root(),
                            defaults.workDir(),
                            defaults.jobJar(),
                            defaults.flinkLib(),
                            keep,
                            kills,
                            brokerRestarts,
                            sinkParallelism,
                            transactionVersion,
                            rate);
            result = run(options);
        } catch (IOException | RuntimeException e) {
            result = new Result(false, e.getMessage(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0);
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
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static int number(String[] args, int i, int min) {
        String text = value(args, i);
        try {
            int n = Integer.parseInt(text);
            if (n < min) {
                throw new IllegalArgumentException(
                        args[i - 1] + " must be at least " + min + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    args[i - 1] + " must be an integer, was '" + text + "'");
        }
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
            FixtureFeed feed = FixtureFeed.load(options.root().resolve("models/fixtures/tiny"));
            counts.eventsPerRound = feed.eventsPerRound();
            say("work directory " + options.workDir());
            LocalKafka kafka =
                    LocalKafka.builder(options.workDir().resolve("kafka"))
                            .optPartitions(PARALLELISM)
                            .optTransactionVersion(options.transactionVersion())
                            // Time-based retention every second from the start (defaults: every
                            // 5 min, first after 30 s): output stamped too old is lost in the run.
                            .optConfig("log.initial.task.delay.ms", "1000")
                            .optConfig("log.retention.check.interval.ms", "1000")
                            .start();
            Broker broker = new Broker(kafka);
            try {
                logs.add(kafka.logFile());
                say("Kafka broker at " + kafka.bootstrapServers());
                try (StandaloneCluster cluster =
                        StandaloneCluster.builder(
                                        options.workDir().resolve("flink"), options.flinkLib())
                                .optTaskManagers(2)
                                .optSlotsPerTaskManager(1)
                                // Every kill and broker restart may cost restarts of its own.
                                .optConfig("restart-strategy.fixed-delay.attempts", "1000")
                                .start()) {
                    say(
                            "Flink cluster: JobManager at "
                                    + cluster.rest().base()
                                    + ", TaskManagers "
                                    + cluster.liveTaskManagers());
                    try {
                        exercise(broker, cluster, feed);
                    } finally {
                        logs.addAll(cluster.logFiles());
                    }
                }
            } finally {
                broker.current.stop();
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
                counts.brokerRestarts,
                counts.restarts,
                counts.eventsPerRound,
                counts.forecasts,
                seconds);
    }

    /** The broker of the moment: a restart replaces it. */
    private static final class Broker {
        volatile LocalKafka current;

        Broker(LocalKafka kafka) {
            this.current = kafka;
        }
    }

    private void exercise(Broker broker, StandaloneCluster cluster, FixtureFeed feed)
            throws IOException {
        FlinkRest rest = cluster.rest();
        String name = "cluster-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        String in = name + "-in";
        String out = name + "-out";
        String dlq = name + "-dlq";
        String servers = broker.current.bootstrapServers();
        broker.current.createTopics(in, out, dlq);

        String jarId = rest.uploadJar(options.jobJar());
        Map<String, String> jobOptions = new LinkedHashMap<>();
        jobOptions.put("kafka.bootstrap-servers", servers);
        jobOptions.put("kafka.input-topic", in);
        jobOptions.put("kafka.output-topic", out);
        jobOptions.put("kafka.dead-letter-topic", dlq);
        jobOptions.put("kafka.group-id", name);
        jobOptions.put("kafka.transactional-id-prefix", name);
        jobOptions.put("kafka.sink-parallelism", Integer.toString(options.sinkParallelism()));
        jobOptions.put("job.parallelism", Integer.toString(PARALLELISM));
        jobOptions.put("job.checkpoint-interval", "1s");
        jobOptions.put("gru.model.features", Integer.toString(feed.features));
        jobOptions.put("gru.model.path", feed.model.toString());
        jobOptions.put("gru.model.hidden-size", Integer.toString(feed.hidden));
        jobOptions.put("gru.model.layers", Integer.toString(feed.layers));
        jobOptions.put("gru.batch.max-size", "16");
        // The feed keys its records by sensor (each sensor's readings in order on one partition)
        // and the test counts every forecast of a stream that does not end: arrival order.
        jobOptions.put("gru.order", "ARRIVAL");
        if (options.transactionVersion() > 1) {
            // To try the sink on the newer protocol, past the job's own refusal of it.
            jobOptions.put("kafka.broker-checks", "false");
        }
        List<String> args = new ArrayList<>();
        jobOptions.forEach(
                (key, value) -> {
                    args.add("--" + key);
                    args.add(value);
                });
        String jobId = rest.runJar(jarId, args, PARALLELISM);
        say(
                "submitted "
                        + options.jobJar().getFileName()
                        + " as job "
                        + jobId
                        + " (sink parallelism "
                        + options.sinkParallelism()
                        + ", transaction.version "
                        + options.transactionVersion()
                        + ")");
        BooleanSupplier jobAlive = () -> checkNotTerminal(rest, jobId);
        await(
                "every task of the job RUNNING",
                Duration.ofSeconds(90),
                () -> jobAlive.getAsBoolean() && rest.allTasksRunning(jobId));
        say("job running");

        try (Feeder feeder = new Feeder(servers, in, feed);
                CommittedReader reader = new CommittedReader(servers, out)) {
            int first = feed.eventsPerRound();
            feeder.sendRound(0);
            await(
                    "the first " + first + " forecasts committed",
                    Duration.ofSeconds(90),
                    () -> jobAlive.getAsBoolean() && reader.poll() >= first);
            say(reader.distinct() + " forecasts committed; feeding at " + options.rate() + "/s");

            feeder.startSteady(options.rate());
            Random random = new Random(options.kills() * 31L + options.sinkParallelism());
            for (int kill = 0; kill < options.kills(); kill++) {
                awaitProduced(feeder, options.rate(), reader); // a second of steady input first
                String victim = victim(rest, jobId, cluster, kill, random);
                long restartsBefore = Math.max(0, rest.jobMetric(jobId, "numRestarts"));
                long restoredBefore = rest.checkpointCounts(jobId).path("restored").asLong();
                int producedAtKill = feed.produced();
                int committedAtKill = reader.poll();
                cluster.killTaskManager(victim);
                counts.kills++;
                say(
                        String.format(
                                Locale.ROOT,
                                "kill %d/%d: TaskManager %s (SIGKILL, %s) after %d readings, %d"
                                        + " forecasts committed",
                                kill + 1,
                                options.kills(),
                                victim,
                                VICTIMS[kill % VICTIMS.length],
                                producedAtKill,
                                committedAtKill));
                String replacement = cluster.startTaskManager();
                say("started TaskManager " + replacement);
                awaitRecovery(rest, jobId, jobAlive, restartsBefore, restoredBefore, victim);
                feeder.checkHealthy();
            }
            for (int restart = 0; restart < options.brokerRestarts(); restart++) {
                awaitProduced(feeder, options.rate(), reader);
                int producedBefore = feed.produced();
                broker.current = broker.current.restart();
                counts.brokerRestarts++;
                logs.add(broker.current.logFile());
                long completed = rest.checkpointCounts(jobId).path("completed").asLong();
                say(
                        "restarted the Kafka broker ("
                                + (restart + 1)
                                + "/"
                                + options.brokerRestarts()
                                + ") after "
                                + producedBefore
                                + " readings, "
                                + reader.poll()
                                + " forecasts committed");
                await(
                        "the forecasts of every reading before the broker restart, and a"
                                + " checkpoint after it",
                        Duration.ofSeconds(180),
                        () ->
                                jobAlive.getAsBoolean()
                                        && reader.poll() >= producedBefore
                                        && rest.checkpointCounts(jobId).path("completed").asLong()
                                                > completed);
                counts.restarts = Math.max(0, rest.jobMetric(jobId, "numRestarts"));
                say(
                        "job goes on after the broker restart: "
                                + reader.distinct()
                                + " forecasts committed, restarts="
                                + counts.restarts);
                feeder.checkHealthy();
            }
            awaitProduced(feeder, options.rate(), reader);
            feeder.stopSteady();
            counts.events = feed.produced();
            say("stopped feeding after " + counts.events + " readings");
            await(
                    "all " + counts.events + " forecasts committed",
                    Duration.ofSeconds(180),
                    () -> jobAlive.getAsBoolean() && reader.poll() >= counts.events);
            long settled = rest.checkpointCounts(jobId).path("completed").asLong();
            await(
                    "one more checkpoint",
                    Duration.ofSeconds(30),
                    () -> rest.checkpointCounts(jobId).path("completed").asLong() > settled);
            counts.restarts = Math.max(0, rest.jobMetric(jobId, "numRestarts"));
        }
        verify(feed, readCommitted(servers, out), readCommitted(servers, dlq));
        rest.cancel(jobId);
    }

    /** What each kill aims at, in turn. */
    private static final String[] VICTIMS = {
        "it ran the predictions' sink", "it ran the GRU operator", "a random one"
    };

    /** The TaskManager of kill {@code kill}: a sink's, an operator's, or a random live one. */
    private static String victim(
            FlinkRest rest, String jobId, StandaloneCluster cluster, int kill, Random random) {
        List<String> candidates;
        switch (kill % VICTIMS.length) {
            case 0 -> candidates = vertexTaskManagers(rest, jobId, "kafka: predictions");
            case 1 -> candidates = vertexTaskManagers(rest, jobId, "GRU inference");
            default -> candidates = cluster.liveTaskManagers();
        }
        check(!candidates.isEmpty(), "no TaskManager to kill for: " + VICTIMS[kill % 3]);
        return candidates.get(random.nextInt(candidates.size()));
    }

    /** The TaskManagers running a vertex whose name contains {@code part}. */
    private static List<String> vertexTaskManagers(FlinkRest rest, String jobId, String part) {
        List<String> names = new ArrayList<>();
        for (String[] vertex : rest.vertices(jobId)) {
            names.add(vertex[1]);
            if (vertex[1].contains(part)) {
                return rest.vertexTaskManagers(jobId, vertex[0]);
            }
        }
        throw new Failure("no vertex '" + part + "' in job " + jobId + ": " + names);
    }

    /** Waits until the job has restarted from a checkpoint, runs everywhere but on the dead one. */
    private void awaitRecovery(
            FlinkRest rest,
            String jobId,
            BooleanSupplier jobAlive,
            long restartsBefore,
            long restoredBefore,
            String victim) {
        await(
                "the job to restart from a checkpoint and run every task again",
                Duration.ofSeconds(180),
                () -> {
                    if (!jobAlive.getAsBoolean()) {
                        return false;
                    }
                    counts.restarts = Math.max(0, rest.jobMetric(jobId, "numRestarts"));
                    return counts.restarts > restartsBefore
                            && rest.checkpointCounts(jobId).path("restored").asLong()
                                    > restoredBefore
                            && rest.allTasksRunning(jobId);
                });
        Set<String> running = new LinkedHashSet<>();
        for (String[] vertex : rest.vertices(jobId)) {
            running.addAll(rest.vertexTaskManagers(jobId, vertex[0]));
        }
        check(
                !running.contains(victim),
                "tasks still on the killed TaskManager " + victim + ": " + running);
        long completed = rest.checkpointCounts(jobId).path("completed").asLong();
        await(
                "a checkpoint completed after the restart",
                Duration.ofSeconds(90),
                () -> rest.checkpointCounts(jobId).path("completed").asLong() > completed);
        say("job recovered: restarts=" + counts.restarts + ", tasks on " + running);
    }

    /** Waits until {@code readings} more readings have been produced, following the output. */
    private void awaitProduced(Feeder feeder, int readings, CommittedReader reader) {
        long target = feeder.acknowledged() + readings;
        await(
                readings + " more readings produced",
                Duration.ofSeconds(120),
                () -> {
                    feeder.checkHealthy();
                    reader.poll();
                    return feeder.acknowledged() >= target;
                });
    }

    /** The final verdict on what a fresh read_committed consumer sees. */
    private void verify(
            FixtureFeed feed,
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
            String sensor = node.path("sensor").asText();
            Long id = feed.idOf(sensor, node.path("ts").asLong());
            if (id == null) {
                problems.add("forecast of no reading produced: " + record.value());
                continue;
            }
            if (!sensor.equals(record.key())) {
                problems.add(
                        "record key " + record.key() + " is not the sensor of " + record.value());
            }
            JsonNode values = node.path("forecast");
            float[] forecast = new float[values.size()];
            for (int i = 0; i < forecast.length; i++) {
                forecast[i] = (float) values.get(i).asDouble();
            }
            if (forecasts.put(id, forecast) != null) {
                duplicates++;
            }
        }
        int missing = 0;
        int mismatches = 0;
        for (long id = 0; id < counts.events; id++) {
            float[] actual = forecasts.get(id);
            if (actual == null) {
                missing++;
            } else if (!close(actual, feed.expected(id))) {
                mismatches++;
                if (problems.size() < 5) {
                    problems.add(
                            "forecast of reading "
                                    + id
                                    + " is "
                                    + java.util.Arrays.toString(actual)
                                    + ", torch gave "
                                    + java.util.Arrays.toString(feed.expected(id)));
                }
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
                                + " from torch, %d dead letters; taskmanager-kills=%d"
                                + " broker-restarts=%d",
                        output.size(),
                        forecasts.size(),
                        duplicates,
                        missing,
                        mismatches,
                        deadLetters.size(),
                        counts.kills,
                        counts.brokerRestarts));
        check(duplicates == 0, duplicates + " duplicate forecasts");
        check(missing == 0, missing + " readings without a forecast");
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

    /**
     * Produces the feed's readings: one round at once, or rounds at a steady rate in the
     * background. Idempotent with acks=all, so a broker restart neither loses nor duplicates input.
     */
    private final class Feeder implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final String topic;
        private final FixtureFeed feed;
        private final AtomicLong acknowledged = new AtomicLong();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private volatile boolean steady;
        private Thread thread;
        private int round;

        Feeder(String servers, String topic, FixtureFeed feed) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            // Through a broker restart: keep retrying well past its downtime.
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            this.producer = new KafkaProducer<>(props);
            this.topic = topic;
            this.feed = feed;
        }

        /** Sends every reading of round {@code r} and waits until all are acknowledged. */
        void sendRound(int r) {
            for (int i = 0; i < feed.eventsPerRound(); i++) {
                send(feed.reading(r, i));
            }
            producer.flush();
            checkHealthy();
            round = Math.max(round, r + 1);
        }

        private void send(String[] reading) {
            producer.send(
                    new ProducerRecord<>(topic, reading[0], reading[1]),
                    (metadata, e) -> {
                        if (e == null) {
                            acknowledged.incrementAndGet();
                        } else {
                            failure.compareAndSet(null, e);
                        }
                    });
        }

        /** Produces further rounds at {@code perSecond} in the background. */
        void startSteady(int perSecond) {
            steady = true;
            long intervalNanos = 1_000_000_000L / perSecond;
            thread =
                    new Thread(
                            () -> {
                                long next = System.nanoTime();
                                try {
                                    while (steady) {
                                        for (int i = 0; steady && i < feed.eventsPerRound(); i++) {
                                            send(feed.reading(round, i));
                                            next += intervalNanos;
                                            long wait = next - System.nanoTime();
                                            if (wait > 0) {
                                                Thread.sleep(
                                                        wait / 1_000_000, (int) (wait % 1_000_000));
                                            }
                                        }
                                        round++;
                                    }
                                    producer.flush();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } catch (RuntimeException e) {
                                    failure.compareAndSet(null, e);
                                }
                            },
                            "cluster-test-feeder");
            thread.setDaemon(true);
            thread.start();
        }

        /** Stops the steady feed and waits until everything sent is acknowledged. */
        void stopSteady() {
            steady = false;
            try {
                thread.join(Duration.ofSeconds(330).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
            check(!thread.isAlive(), "the feeder did not stop");
            checkHealthy();
            check(
                    acknowledged.get() == feed.produced(),
                    acknowledged.get() + " of " + feed.produced() + " readings acknowledged");
        }

        long acknowledged() {
            return acknowledged.get();
        }

        void checkHealthy() {
            Exception e = failure.get();
            if (e != null) {
                throw new Failure("producing the readings failed: " + e);
            }
        }

        @Override
        public void close() {
            steady = false;
            producer.close(Duration.ofSeconds(10));
        }
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

    /** Follows the output topic with read_committed, counting distinct readings seen. */
    private static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Set<String> seen = new java.util.HashSet<>();

        CommittedReader(String servers, String topic) {
            consumer = consumer(servers);
            assignFromStart(consumer, topic);
        }

        /** Reads what is there now; returns the number of distinct readings with a forecast. */
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
