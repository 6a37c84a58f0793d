package dev.flinkgru.testing.kafka;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one process) in a JVM of its own,
 * listening on 127.0.0.1, for tests, the demo and the command line.
 *
 * <p>The broker runs from the classpath that the {@code kafka-broker} module writes to {@code
 * kafka-broker/target/broker.classpath}, so {@code kafka_2.13} never meets the job's kafka-clients.
 * Everything it writes lives under the work directory: {@code server.properties}, {@code
 * log4j2.properties}, {@code data/} (the log dirs), {@code broker.log} and {@code broker.pid}.
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.builder(tempDir).start()) {   // any free port
 *     kafka.createTopics("events", "predictions");
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>By default the broker dies with this JVM (a shutdown hook stops it). {@link
 * Builder#optDetached(boolean) Detached} brokers outlive it and are stopped with {@link #stop(Path,
 * Duration)}, as {@code flink-gru kafka stop} does.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

    /** Port of the command line's broker; away from 9092 so that a real Kafka can coexist. */
    public static final int DEFAULT_PORT = 19092;

    /** Partitions of a topic created without an explicit count. */
    public static final int DEFAULT_PARTITIONS = 1;

    /** System property naming the broker classpath file. */
    public static final String CLASSPATH_PROPERTY = "flinkgru.kafka.classpath";

    /** Environment variable naming the broker classpath file, read after the property. */
    public static final String CLASSPATH_ENV = "FLINK_GRU_KAFKA_CLASSPATH";

    /** System property naming the repository root, where {@value #CLASSPATH_FILE} is looked up. */
    public static final String HOME_PROPERTY = "flinkgru.home";

    /** Where the {@code kafka-broker} module writes the classpath, relative to the repo root. */
    public static final String CLASSPATH_FILE = "kafka-broker/target/broker.classpath";

    /** The file in the work directory that holds the broker's process id. */
    public static final String PID_FILE = "broker.pid";

    /** The broker's log (stdout and stderr) in the work directory. */
    public static final String LOG_FILE = "broker.log";

    static final String SERVER_PROPERTIES = "server.properties";
    private static final String LOG4J_PROPERTIES = "log4j2.properties";
    private static final String CLASSPATH_ARGS = "classpath.args";
    private static final String FORMAT_LOG = "format.log";
    private static final String DATA_DIR = "data";
    private static final String HOST = "127.0.0.1";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int BIND_ATTEMPTS = 3;

    private static final String BUILD_HINT =
            "Build it from the repository root with: mvn -q install -DskipTests "
                    + "(or just: mvn -q -pl kafka-broker generate-resources).";

    private final Path workDir;
    private final Process process;
    private final String bootstrapServers;
    private final int partitions;
    private final Thread shutdownHook;

    /** The builder this broker was started with, its ports fixed to the ones it got. */
    private final Builder settings;

    private LocalKafka(
            Path workDir,
            Process process,
            String bootstrapServers,
            int partitions,
            Thread shutdownHook,
            Builder settings) {
        this.workDir = workDir;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.shutdownHook = shutdownHook;
        this.settings = settings;
    }

    /**
     * Stops the broker (SIGTERM, as for maintenance) and starts it again on the same ports, data
     * and settings; clients that keep their bootstrap servers reconnect to it.
     *
     * @return the restarted broker (this object stays stopped)
     */
    public LocalKafka restart() throws IOException {
        stop();
        return settings.start();
    }

    /** A broker on any free port in {@code workDir}; see {@link Builder} for the options. */
    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** Starts a broker in {@code workDir} on {@code port} (0: any free port) and waits for it. */
    public static LocalKafka start(Path workDir, int port) throws IOException {
        return builder(workDir).optPort(port).start();
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's process id. */
    public long pid() {
        return process.pid();
    }

    /** The directory holding the broker's configuration, data and log. */
    public Path workDir() {
        return workDir;
    }

    /** The broker's log file (its stdout and stderr). */
    public Path logFile() {
        return workDir.resolve(LOG_FILE);
    }

    /** Creates the topics with the builder's partition count; existing topics are left alone. */
    public void createTopics(String... names) {
        createTopics(partitions, names);
    }

    /** Creates the topics with {@code partitions} partitions; existing topics are left alone. */
    public void createTopics(int partitions, String... names) {
        createTopics(bootstrapServers, partitions, Arrays.asList(names));
    }

    /**
     * Creates topics (replication factor 1) on the broker at {@code bootstrapServers}; a topic that
     * exists already is left as it is, whatever its partition count.
     */
    public static void createTopics(String bootstrapServers, int partitions, List<String> names) {
        checkArgument(partitions > 0, "partitions must be greater than 0, was %s", partitions);
        if (names.isEmpty()) {
            return;
        }
        List<NewTopic> topics =
                names.stream()
                        .map(n -> new NewTopic(n, partitions, (short) 1))
                        .collect(Collectors.toList());
        try (Admin admin = admin(bootstrapServers, Duration.ofSeconds(30))) {
            for (Map.Entry<String, KafkaFuture<Void>> e :
                    admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "Could not create topic '" + e.getKey() + "'.", ex.getCause());
                    }
                }
            }
            awaitLeaders(admin, names, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics " + names, e);
        }
    }

    /**
     * The controller acknowledges a new topic before the broker's metadata has it; a client that
     * looks right away (a KafkaSource listing partitions) may see no topic. Returns when every
     * partition of {@code names} has a leader.
     */
    private static void awaitLeaders(Admin admin, List<String> names, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> topics =
                        admin.describeTopics(names).allTopicNames().get();
                if (topics.values().stream()
                        .flatMap(t -> t.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("Could not describe topics " + names, e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Topics " + names + " have no leaders after " + timeout);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * Stops the broker: SIGTERM, then SIGKILL if it has not exited within 30 seconds. Removes the
     * pid file. Does nothing if it has stopped already.
     */
    public void stop() {
        removeHook(shutdownHook);
        terminate(process.toHandle(), Duration.ofSeconds(30));
        deletePidFile(workDir, process.pid());
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "LocalKafka{" + bootstrapServers + ", pid " + pid() + ", " + workDir + "}";
    }

    // ---------------------------------------------------------------- work-directory operations

    /**
     * What {@link #status(Path)} found in a work directory.
     *
     * @param pid process id from the pid file, or -1 if there is none
     * @param bootstrapServers the broker's address from its server.properties, or null
     * @param alive whether the recorded process is alive and is this directory's broker
     * @param answering whether the broker answered a describeCluster request
     */
    public record Status(long pid, String bootstrapServers, boolean alive, boolean answering) {

        /** Alive and answering. */
        public boolean running() {
            return alive && answering;
        }
    }

    /** Whether the broker recorded in {@code workDir}'s pid file is alive and answering. */
    public static Status status(Path workDir) {
        Path dir = workDir.toAbsolutePath();
        Optional<ProcessHandle> broker = recordedBroker(dir);
        String bootstrap = readBootstrapServers(dir);
        if (broker.isEmpty()) {
            return new Status(readPid(dir).orElse(-1L), bootstrap, false, false);
        }
        boolean answering = bootstrap != null && answers(bootstrap, Duration.ofSeconds(5));
        return new Status(broker.get().pid(), bootstrap, true, answering);
    }

    /**
     * Stops the broker recorded in {@code workDir}'s pid file (SIGTERM, SIGKILL after {@code
     * timeout}) and removes the pid file.
     *
     * @return the pid of the broker that was stopped; empty if none was running
     */
    public static OptionalLong stop(Path workDir, Duration timeout) {
        Path dir = workDir.toAbsolutePath();
        Optional<ProcessHandle> broker = recordedBroker(dir);
        broker.ifPresent(p -> terminate(p, timeout));
        readPid(dir).ifPresent(pid -> deletePidFile(dir, pid));
        return broker.map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    }

    /**
     * The broker classpath file: the {@value #CLASSPATH_PROPERTY} system property, else the {@value
     * #CLASSPATH_ENV} environment variable, else {@value #CLASSPATH_FILE} under the {@value
     * #HOME_PROPERTY} system property (which {@code bin/flink-gru} sets), else in the current
     * directory or the nearest parent that has one.
     *
     * @throws IllegalStateException if none is found, saying how to build it
     */
    public static Path findClasspathFile() {
        String configured = System.getProperty(CLASSPATH_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(CLASSPATH_ENV);
        }
        if (configured != null && !configured.isBlank()) {
            Path file = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(
                        "The Kafka broker classpath file "
                                + file
                                + " (from -D"
                                + CLASSPATH_PROPERTY
                                + " or $"
                                + CLASSPATH_ENV
                                + ") does not exist. "
                                + BUILD_HINT);
            }
            return file;
        }
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            Path file = Path.of(home).resolve(CLASSPATH_FILE).toAbsolutePath();
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path file = dir.resolve(CLASSPATH_FILE);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalStateException(
                "No Kafka broker classpath: found no "
                        + CLASSPATH_FILE
                        + " in "
                        + start
                        + " or its parents, and neither -D"
                        + CLASSPATH_PROPERTY
                        + " nor $"
                        + CLASSPATH_ENV
                        + " is set. "
                        + BUILD_HINT);
    }

    // ---------------------------------------------------------------- builder

    /**
     * Options for a broker; {@link #start()} starts it. Optional settings are {@code optX}, as
     * everywhere in flink-gru.
     */
    public static final class Builder {
        private final Path workDir;
        private int port = 0;
        private int controllerPort = 0;
        private int partitions = DEFAULT_PARTITIONS;
        private boolean detached = false;
        private Duration startTimeout = Duration.ofSeconds(90);
        private List<String> jvmOptions =
                List.of("-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20");
        private Path classpathFile;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private int transactionVersion = 1;

        private Builder(Path workDir) {
            checkArgument(workDir != null, "workDir must not be null");
            this.workDir = workDir.toAbsolutePath().normalize();
        }

        /** Client port; 0 (the default) picks a free one. */
        public Builder optPort(int port) {
            checkArgument(port >= 0 && port <= 65535, "port must be in [0, 65535], was %s", port);
            this.port = port;
            return this;
        }

        /** Controller port; 0 (the default) means port + 1, or any free port if port is 0. */
        public Builder optControllerPort(int controllerPort) {
            checkArgument(
                    controllerPort >= 0 && controllerPort <= 65535,
                    "controllerPort must be in [0, 65535], was %s",
                    controllerPort);
            this.controllerPort = controllerPort;
            return this;
        }

        /** Partitions of topics created without a count, and of the broker's num.partitions. */
        public Builder optPartitions(int partitions) {
            checkArgument(partitions > 0, "partitions must be greater than 0, was %s", partitions);
            this.partitions = partitions;
            return this;
        }

        /**
         * Whether the broker outlives this JVM (default false: a shutdown hook stops it). A
         * detached broker runs in a session of its own ({@code setsid}) where available.
         */
        public Builder optDetached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /** How long {@link #start()} waits for the broker to answer (default 90 seconds). */
        public Builder optStartTimeout(Duration startTimeout) {
            checkArgument(
                    startTimeout != null && !startTimeout.isNegative() && !startTimeout.isZero(),
                    "startTimeout must be positive, was %s",
                    startTimeout);
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * The broker JVM's options (default {@code -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20}).
         */
        public Builder optJvmOptions(List<String> jvmOptions) {
            checkArgument(jvmOptions != null, "jvmOptions must not be null");
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** The classpath file to use instead of {@link #findClasspathFile()}'s. */
        public Builder optClasspathFile(Path classpathFile) {
            checkArgument(classpathFile != null, "classpathFile must not be null");
            this.classpathFile = classpathFile.toAbsolutePath();
            return this;
        }

        /**
         * The transaction protocol version the storage is formatted with (default 1; Kafka 4's own
         * default is 2). Flink's KafkaSink (connector 5.0.0-2.2) resumes and commits transactions
         * after a restore with the producer id and epoch of its checkpoint; see docs/kafka-jobs.md.
         */
        public Builder optTransactionVersion(int transactionVersion) {
            checkArgument(
                    transactionVersion >= 0 && transactionVersion <= 2,
                    "transaction.version must be 0, 1 or 2, was %s",
                    transactionVersion);
            this.transactionVersion = transactionVersion;
            return this;
        }

        /** A broker setting that replaces or adds to the ones {@code server.properties} gets. */
        public Builder optConfig(String key, String value) {
            checkArgument(key != null && !key.isBlank(), "config key must not be blank");
            checkArgument(value != null, "config value of %s must not be null", key);
            overrides.put(key, value);
            return this;
        }

        /**
         * Formats the work directory's storage if it is new, starts the broker and waits until it
         * answers.
         *
         * @throws IllegalStateException if a broker from this work directory is running already, or
         *     the broker does not come up (the message has its log's tail)
         */
        public LocalKafka start() throws IOException {
            checkState(
                    port == 0 || controllerPort != port,
                    "controllerPort must differ from port %s",
                    port);
            Optional<ProcessHandle> running = recordedBroker(workDir);
            checkState(
                    running.isEmpty(),
                    "A Kafka broker from %s is running already (pid %s); stop it first.",
                    workDir,
                    running.map(ProcessHandle::pid).orElse(-1L));
            List<String> classpath = readClasspath(classpathFile);
            Files.createDirectories(workDir);
            Files.deleteIfExists(workDir.resolve(PID_FILE));
            writeLog4jConfig();
            writeClasspathArgs(workDir, classpath);
            for (int attempt = 1; ; attempt++) {
                long t0 = System.nanoTime();
                int[] ports = choosePorts();
                writeServerProperties(ports[0], ports[1]);
                boolean formatted = formatIfNew();
                long t1 = System.nanoTime();
                Process process = launch();
                String bootstrap = HOST + ":" + ports[0];
                Thread hook = null;
                if (!detached) {
                    hook =
                            new Thread(
                                    () -> terminate(process.toHandle(), Duration.ofSeconds(10)),
                                    "local-kafka-shutdown");
                    Runtime.getRuntime().addShutdownHook(hook);
                }
                try {
                    awaitAnswer(process, bootstrap, ports[0]);
                } catch (BindFailure | RuntimeException e) {
                    removeHook(hook);
                    if (e instanceof BindFailure && port == 0 && attempt < BIND_ATTEMPTS) {
                        LOG.info("Free port taken before the broker bound it; trying others.");
                        continue;
                    }
                    throw e instanceof BindFailure
                            ? new IllegalStateException(e.getMessage())
                            : (RuntimeException) e;
                }
                long t2 = System.nanoTime();
                LOG.info(
                        "Kafka broker on {} answered after {} ms ({}), pid {}, work dir {}",
                        bootstrap,
                        (t2 - t0) / 1_000_000,
                        formatted
                                ? "storage format " + (t1 - t0) / 1_000_000 + " ms"
                                : "storage reused",
                        process.pid(),
                        workDir);
                Builder settings = copy().optPort(ports[0]).optControllerPort(ports[1]);
                return new LocalKafka(workDir, process, bootstrap, partitions, hook, settings);
            }
        }

        private Builder copy() {
            Builder copy = new Builder(workDir);
            copy.port = port;
            copy.controllerPort = controllerPort;
            copy.partitions = partitions;
            copy.detached = detached;
            copy.startTimeout = startTimeout;
            copy.jvmOptions = jvmOptions;
            copy.classpathFile = classpathFile;
            copy.overrides.putAll(overrides);
            copy.transactionVersion = transactionVersion;
            return copy;
        }

        private int[] choosePorts() throws IOException {
            if (port != 0) {
                int[] ports = {port, controllerPort != 0 ? controllerPort : port + 1};
                checkState(
                        ports[1] <= 65535,
                        "port %s leaves no room for the controller on port + 1; set"
                                + " optControllerPort",
                        port);
                // Else a broker already there would answer for ours, which fails to bind.
                for (int p : ports) {
                    checkState(
                            isFree(p),
                            "Port %s on %s is in use (another Kafka? flink-gru kafka status"
                                    + " tells about ours); choose another with --port / optPort.",
                            p,
                            HOST);
                }
                return ports;
            }
            // Hold both sockets until both are chosen, so the two ports differ.
            try (ServerSocket a = freeSocket();
                    ServerSocket b = freeSocket()) {
                return new int[] {
                    a.getLocalPort(), controllerPort != 0 ? controllerPort : b.getLocalPort()
                };
            }
        }

        private void writeLog4jConfig() throws IOException {
            String config =
                    String.join(
                            "\n",
                            "# Written by LocalKafka: warnings and errors to stderr (broker.log).",
                            "status = warn",
                            "appender.stderr.type = Console",
                            "appender.stderr.name = STDERR",
                            "appender.stderr.target = SYSTEM_ERR",
                            "appender.stderr.layout.type = PatternLayout",
                            "appender.stderr.layout.pattern = [%d] %p %m (%c)%n",
                            "rootLogger.level = WARN",
                            "rootLogger.appenderRef.stderr.ref = STDERR",
                            "");
            Files.writeString(workDir.resolve(LOG4J_PROPERTIES), config);
        }

        private void writeServerProperties(int clientPort, int ctrlPort) throws IOException {
            Map<String, String> c = new LinkedHashMap<>();
            c.put("process.roles", "broker,controller");
            c.put("node.id", "1");
            c.put("controller.quorum.voters", "1@" + HOST + ":" + ctrlPort);
            c.put(
                    "listeners",
                    "PLAINTEXT://"
                            + HOST
                            + ":"
                            + clientPort
                            + ",CONTROLLER://"
                            + HOST
                            + ":"
                            + ctrlPort);
            c.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
            c.put("inter.broker.listener.name", "PLAINTEXT");
            c.put("controller.listener.names", "CONTROLLER");
            c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            c.put("log.dirs", workDir.resolve(DATA_DIR).toString());
            c.put("num.partitions", Integer.toString(partitions));
            c.put("default.replication.factor", "1");
            c.put("min.insync.replicas", "1");
            c.put("auto.create.topics.enable", "false");
            c.put("offsets.topic.replication.factor", "1");
            c.put("offsets.topic.num.partitions", "1");
            c.put("transaction.state.log.replication.factor", "1");
            c.put("transaction.state.log.min.isr", "1");
            c.put("transaction.state.log.num.partitions", "1");
            // Flink's exactly-once KafkaSink may ask for long transaction timeouts.
            c.put("transaction.max.timeout.ms", "3600000");
            c.put("share.coordinator.state.topic.replication.factor", "1");
            c.put("share.coordinator.state.topic.min.isr", "1");
            c.put("group.initial.rebalance.delay.ms", "0");
            c.put("num.network.threads", "2");
            c.put("num.io.threads", "4");
            c.putAll(overrides);

            StringBuilder out = new StringBuilder("# Written by LocalKafka.\n");
            c.forEach((k, v) -> out.append(k).append('=').append(escapeValue(v)).append('\n'));
            Files.writeString(workDir.resolve(SERVER_PROPERTIES), out.toString());
        }

        /** KRaft storage must be formatted once, before the first start; later starts reuse it. */
        private boolean formatIfNew() throws IOException {
            if (Files.exists(workDir.resolve(DATA_DIR).resolve("meta.properties"))) {
                return false;
            }
            // Static quorum (controller.quorum.voters): format without --standalone.
            // A short-lived tool: the C1 JIT alone starts it about a second sooner.
            List<String> command = javaCommand(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
            command.addAll(
                    List.of(
                            "kafka.tools.StorageTool",
                            "format",
                            "--cluster-id",
                            Uuid.randomUuid().toString(),
                            "--feature",
                            "transaction.version=" + transactionVersion,
                            "--config",
                            workDir.resolve(SERVER_PROPERTIES).toString()));
            Path log = workDir.resolve(FORMAT_LOG);
            Process format =
                    new ProcessBuilder(command)
                            .directory(workDir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            format.getOutputStream().close();
            try {
                if (!format.waitFor(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    format.destroyForcibly();
                    throw new IllegalStateException(
                            "Formatting Kafka storage in " + workDir + " timed out.\n" + tail(log));
                }
            } catch (InterruptedException e) {
                format.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
            }
            if (format.exitValue() != 0) {
                throw new IllegalStateException(
                        "Formatting Kafka storage in "
                                + workDir
                                + " failed (exit "
                                + format.exitValue()
                                + "):\n"
                                + tail(log));
            }
            return true;
        }

        private Process launch() throws IOException {
            List<String> command = new ArrayList<>();
            Path setsid = Path.of("/usr/bin/setsid");
            if (detached && Files.isExecutable(setsid)) {
                // A child of the JVM is no process-group leader, so setsid execs in place and
                // the pid stays the broker's.
                command.add(setsid.toString());
            }
            command.addAll(javaCommand(jvmOptions));
            command.add("kafka.Kafka");
            command.add(workDir.resolve(SERVER_PROPERTIES).toString());
            Path log = workDir.resolve(LOG_FILE);
            Files.writeString(
                    log,
                    "---- LocalKafka start " + Instant.now() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process process =
                    new ProcessBuilder(command)
                            .directory(workDir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(Redirect.appendTo(log.toFile()))
                            .start();
            process.getOutputStream().close(); // stdin: nothing to read, and no tie to this JVM
            Files.writeString(workDir.resolve(PID_FILE), process.pid() + "\n");
            return process;
        }

        private void awaitAnswer(Process process, String bootstrap, int clientPort)
                throws BindFailure {
            long deadline = System.nanoTime() + startTimeout.toNanos();
            Path log = workDir.resolve(LOG_FILE);
            while (true) {
                if (!process.isAlive()) {
                    deletePidFile(workDir, process.pid());
                    String tail = tail(log);
                    String message =
                            "The Kafka broker in "
                                    + workDir
                                    + " exited with "
                                    + process.exitValue()
                                    + " while starting. "
                                    + log
                                    + " ends with:\n"
                                    + tail;
                    if (tail.contains("Address already in use")) {
                        throw new BindFailure(message);
                    }
                    throw new IllegalStateException(message);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    terminate(process.toHandle(), Duration.ofSeconds(5));
                    deletePidFile(workDir, process.pid());
                    throw new IllegalStateException(
                            "The Kafka broker in "
                                    + workDir
                                    + " did not answer on "
                                    + bootstrap
                                    + " within "
                                    + startTimeout
                                    + "; stopped it. "
                                    + log
                                    + " ends with:\n"
                                    + tail(log));
                }
                // The client port opens once the broker has caught up with its metadata, so
                // knocking first keeps the admin client from logging refused connections.
                if (portOpen(clientPort)
                        && answers(bootstrap, Duration.ofNanos(Math.min(left, 5_000_000_000L)))
                        && process.isAlive()) {
                    return;
                }
                sleep(POLL);
            }
        }

        private static boolean isFree(int port) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true); // as Kafka binds: TIME_WAIT leftovers do not count
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private static ServerSocket freeSocket() throws IOException {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 1);
            return socket;
        }
    }

    /** The broker exited because its port was taken. */
    private static final class BindFailure extends Exception {
        private static final long serialVersionUID = 1L;

        BindFailure(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> readClasspath(Path configured) throws IOException {
        Path file = configured != null ? configured : findClasspathFile();
        String text = Files.readString(file).trim();
        checkState(
                !text.isEmpty(),
                "The Kafka broker classpath file %s is empty. %s",
                file,
                BUILD_HINT);
        List<String> entries = Arrays.asList(text.split(File.pathSeparator));
        for (String entry : entries) {
            checkState(
                    Files.exists(Path.of(entry)),
                    "The Kafka broker classpath file %s lists %s, which does not exist. %s",
                    file,
                    entry,
                    BUILD_HINT);
        }
        return entries;
    }

    /**
     * {@code java OPTIONS @classpath.args}: the classpath goes in an argument file, which keeps the
     * command line short, so that it shows whole in {@code ps} and in {@link
     * ProcessHandle.Info#commandLine()} (which truncates), where {@link #isBrokerOf} looks.
     */
    private static List<String> javaCommand(List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + LOG4J_PROPERTIES);
        command.add("@" + CLASSPATH_ARGS);
        return command;
    }

    private static void writeClasspathArgs(Path workDir, List<String> classpath)
            throws IOException {
        String quoted =
                String.join(File.pathSeparator, classpath)
                        .replace("\\", "\\\\")
                        .replace("\"", "\\\"");
        Files.writeString(workDir.resolve(CLASSPATH_ARGS), "-cp\n\"" + quoted + "\"\n");
    }

    private static Admin admin(String bootstrapServers, Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int ms = (int) Math.max(1000, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 5000));
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "flink-gru-local-kafka");
        return Admin.create(p);
    }

    /** Whether the broker answers describeCluster with at least one node within {@code timeout}. */
    private static boolean answers(String bootstrapServers, Duration timeout) {
        try (Admin admin = admin(bootstrapServers, timeout)) {
            return !admin.describeCluster()
                    .nodes()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .isEmpty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The live process from the pid file, if it is a Kafka broker started in {@code dir}. */
    private static Optional<ProcessHandle> recordedBroker(Path dir) {
        return readPid(dir)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(p -> isBrokerOf(p, dir));
    }

    /** Guards against a recycled pid: the command line must name kafka.Kafka and dir's config. */
    private static boolean isBrokerOf(ProcessHandle p, Path dir) {
        Optional<String> commandLine = p.info().commandLine();
        if (commandLine.isEmpty()) {
            return true; // not readable here; trust the pid file
        }
        String expected = dir.resolve(SERVER_PROPERTIES).toString();
        return commandLine.get().contains("kafka.Kafka") && commandLine.get().contains(expected);
    }

    private static Optional<Long> readPid(Path dir) {
        Path file = dir.resolve(PID_FILE);
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void deletePidFile(Path dir, long pid) {
        // Only our own: a newer broker may have replaced it.
        if (readPid(dir).map(p -> p == pid).orElse(false)) {
            try {
                Files.deleteIfExists(dir.resolve(PID_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String readBootstrapServers(Path dir) {
        Path file = dir.resolve(SERVER_PROPERTIES);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            return null;
        }
        String listeners = p.getProperty("advertised.listeners");
        return listeners == null ? null : listeners.replace("PLAINTEXT://", "");
    }

    /** SIGTERM, wait up to {@code timeout}, then SIGKILL and wait for the exit. */
    private static void terminate(ProcessHandle p, Duration timeout) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            p.destroyForcibly();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException ex) {
                throw new IllegalStateException("Kafka broker pid " + p.pid() + " does not exit");
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it stops the process itself.
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String escapeValue(String v) {
        return v.replace("\\", "\\\\");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
    }

    private static void checkArgument(boolean condition, String message, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(message, args));
        }
    }

    private static void checkState(boolean condition, String message, Object... args) {
        if (!condition) {
            throw new IllegalStateException(String.format(message, args));
        }
    }
}
