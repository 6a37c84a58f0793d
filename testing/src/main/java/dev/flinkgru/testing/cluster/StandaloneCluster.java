package dev.flinkgru.testing.cluster;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A Flink standalone session cluster on 127.0.0.1, each process a JVM of its own, started the way
 * Flink's {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} start them: a {@code
 * config.yaml} in a configuration directory ({@code FLINK_CONF_DIR}), JVM memory options and
 * dynamic properties derived from it as Flink's {@code BashJavaUtils} derives them, the {@code
 * env.java.*} options of the configuration, and a classpath that stands for Flink's {@code lib/}.
 *
 * <pre>{@code
 * try (StandaloneCluster cluster = StandaloneCluster.builder(workDir, libClasspath).start()) {
 *     String jarId = cluster.rest().uploadJar(jobJar);
 *     String jobId = cluster.rest().runJar(jarId, args, 2);
 *     cluster.killTaskManager("tm-1");          // SIGKILL
 *     cluster.startTaskManager();               // tm-3
 * }
 * }</pre>
 *
 * <p>Everything lives under the work directory: {@code conf/} (config.yaml, log4j.properties, the
 * classpath argument file), {@code logs/} (each process's {@code .log} and {@code .out}), {@code
 * checkpoints/}, {@code savepoints/} and {@code tmp/}. The JVMs die with this one (a shutdown hook
 * kills them) and on {@link #close()}.
 */
public final class StandaloneCluster implements AutoCloseable {

    /** The JobManager's entry point, as {@code bin/jobmanager.sh} starts it. */
    public static final String JOB_MANAGER_CLASS =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";

    /** The TaskManager's entry point, as {@code bin/taskmanager.sh} starts it. */
    public static final String TASK_MANAGER_CLASS =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /**
     * The Java 17 options of Flink's distribution ({@code env.java.default-opts.all} in its {@code
     * config.yaml}): Flink's serializers and RPC reflect into these JDK packages.
     */
    public static final String JAVA_17_OPTIONS =
            String.join(
                    " ",
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final String HOST = "127.0.0.1";
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int BIND_ATTEMPTS = 3;

    private static final ConfigOption<String> DEFAULT_OPTS_ALL =
            ConfigOptions.key("env.java.default-opts.all").stringType().defaultValue("");
    private static final ConfigOption<String> OPTS_ALL =
            ConfigOptions.key("env.java.opts.all").stringType().defaultValue("");
    private static final ConfigOption<String> OPTS_JM =
            ConfigOptions.key("env.java.opts.jobmanager").stringType().defaultValue("");
    private static final ConfigOption<String> OPTS_TM =
            ConfigOptions.key("env.java.opts.taskmanager").stringType().defaultValue("");

    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final Configuration config;
    private final Duration startTimeout;
    private final FlinkRest rest;
    private final Process jobManager;
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private final Thread shutdownHook;
    private int nextTaskManager = 1;

    private StandaloneCluster(
            Path workDir, Configuration config, Duration startTimeout, Process jobManager) {
        this.workDir = workDir;
        this.confDir = workDir.resolve("conf");
        this.logDir = workDir.resolve("logs");
        this.config = config;
        this.startTimeout = startTimeout;
        this.jobManager = jobManager;
        this.rest =
                new FlinkRest(
                        URI.create("http://" + HOST + ":" + config.getString("rest.port", "")),
                        Duration.ofMinutes(2));
        this.shutdownHook = new Thread(this::killAll, "standalone-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * A cluster in {@code workDir} whose JVMs run on {@code libClasspath} (the jars of a Flink
     * {@code lib/} folder).
     */
    public static Builder builder(Path workDir, List<Path> libClasspath) {
        return new Builder(workDir, libClasspath);
    }

    /** The REST client of the JobManager. */
    public FlinkRest rest() {
        return rest;
    }

    /** The cluster's configuration, as written to {@code conf/config.yaml}. */
    public Configuration configuration() {
        return new Configuration(config);
    }

    /** The work directory. */
    public Path workDir() {
        return workDir;
    }

    /** The resource ids of the TaskManagers this object started that are alive. */
    public synchronized List<String> liveTaskManagers() {
        List<String> live = new ArrayList<>();
        taskManagers.forEach(
                (id, p) -> {
                    if (p.isAlive()) {
                        live.add(id);
                    }
                });
        return live;
    }

    /**
     * Starts one more TaskManager ({@code tm-1}, {@code tm-2}, ... in order) and waits until it has
     * registered with the JobManager.
     *
     * @return its resource id
     */
    public String startTaskManager() throws IOException {
        String id;
        Process process;
        synchronized (this) {
            id = "tm-" + nextTaskManager++;
            process = launchTaskManager(id);
            taskManagers.put(id, process);
        }
        String name = id;
        await(
                "TaskManager " + id + " to register",
                () -> {
                    checkAlive(process, name);
                    checkAlive(jobManager, "jobmanager");
                    return rest.tryGet("/taskmanagers")
                            .map(
                                    answer -> {
                                        for (var tm : answer.path("taskmanagers")) {
                                            if (name.equals(tm.path("id").asText())) {
                                                return true;
                                            }
                                        }
                                        return false;
                                    })
                            .orElse(false);
                });
        return id;
    }

    /** Kills a TaskManager with SIGKILL, as a crashed machine would go, and waits for its exit. */
    public void killTaskManager(String id) {
        Process process;
        synchronized (this) {
            process = taskManagers.get(id);
        }
        if (process == null) {
            throw new IllegalArgumentException(
                    "No TaskManager " + id + "; started: " + taskManagers.keySet());
        }
        process.destroyForcibly(); // SIGKILL on Linux and macOS
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while killing " + id, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "TaskManager " + id + " does not exit after SIGKILL", e);
        }
    }

    /** Paths of every log file of the cluster's processes, for a failure report. */
    public List<Path> logFiles() {
        try (var files = Files.list(logDir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Stops every process: SIGTERM, then SIGKILL after 15 seconds. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs already.
        }
        List<ProcessHandle> all = new ArrayList<>();
        synchronized (this) {
            taskManagers.values().forEach(p -> all.add(p.toHandle()));
        }
        all.add(jobManager.toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (ProcessHandle p : all) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                p.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private void killAll() {
        synchronized (this) {
            taskManagers.values().forEach(Process::destroyForcibly);
        }
        jobManager.destroyForcibly();
    }

    private Process launchTaskManager(String id) throws IOException {
        Configuration tmConfig = new Configuration(config);
        tmConfig.setString("taskmanager.resource-id", id);
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(tmConfig);
        List<String> jvm = split(ProcessMemoryUtils.generateJvmParametersStr(spec));
        jvm.addAll(split(config.get(OPTS_TM)));
        List<String> dynamic = split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec));
        dynamic.add("-D");
        dynamic.add("taskmanager.resource-id=" + id);
        return launch(id, config, jvm, TASK_MANAGER_CLASS, dynamic, confDir, logDir);
    }

    private static Process launch(
            String name,
            Configuration config,
            List<String> jvmOptions,
            String mainClass,
            List<String> dynamicProperties,
            Path confDir,
            Path logDir)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(split(config.get(DEFAULT_OPTS_ALL)));
        command.addAll(split(config.get(OPTS_ALL)));
        command.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=file:" + confDir.resolve("log4j.properties"));
        command.add("-Djava.io.tmpdir=" + confDir.getParent().resolve("tmp"));
        command.add("@" + confDir.resolve("classpath.args"));
        command.add(mainClass);
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(dynamicProperties);
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(confDir.getParent().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(Redirect.appendTo(logDir.resolve(name + ".out").toFile()));
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        return process;
    }

    private void await(String what, BooleanSupplier condition) {
        awaitCondition(what, startTimeout, condition, logDir);
    }

    private static void awaitCondition(
            String what, Duration timeout, BooleanSupplier condition, Path logDir) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Timed out after "
                                + timeout
                                + " waiting for "
                                + what
                                + "; logs in "
                                + logDir);
            }
            sleep(POLL);
        }
    }

    private static void checkAlive(Process process, String name) {
        if (!process.isAlive()) {
            throw new ProcessDied(name, process.exitValue());
        }
    }

    /** A cluster process exited while it was expected to run. */
    private static final class ProcessDied extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ProcessDied(String name, int exitValue) {
            super("The " + name + " JVM exited with " + exitValue + " while starting");
        }
    }

    private static List<String> split(String options) {
        List<String> parts = new ArrayList<>();
        for (String part : options.trim().split("\\s+")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    // ---------------------------------------------------------------- builder

    /** Options of a cluster; {@link #start()} starts it. */
    public static final class Builder {
        private final Path workDir;
        private final List<Path> libClasspath;
        private int taskManagers = 2;
        private int slotsPerTaskManager = 1;
        private Duration startTimeout = Duration.ofSeconds(90);
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder(Path workDir, List<Path> libClasspath) {
            checkArgument(workDir != null, "workDir must not be null");
            checkArgument(
                    libClasspath != null && !libClasspath.isEmpty(),
                    "libClasspath must not be empty");
            for (Path jar : libClasspath) {
                checkArgument(Files.exists(jar), "libClasspath entry %s does not exist", jar);
            }
            this.workDir = workDir.toAbsolutePath().normalize();
            this.libClasspath = List.copyOf(libClasspath);
        }

        /** TaskManagers to start with the cluster (default 2). */
        public Builder optTaskManagers(int taskManagers) {
            checkArgument(
                    taskManagers >= 0, "taskManagers must not be negative, was %s", taskManagers);
            this.taskManagers = taskManagers;
            return this;
        }

        /** {@code taskmanager.numberOfTaskSlots} (default 1). */
        public Builder optSlotsPerTaskManager(int slots) {
            checkArgument(slots > 0, "slots must be greater than 0, was %s", slots);
            this.slotsPerTaskManager = slots;
            return this;
        }

        /** How long a process may take to come up (default 90 seconds). */
        public Builder optStartTimeout(Duration startTimeout) {
            checkArgument(
                    startTimeout != null && startTimeout.toMillis() > 0,
                    "startTimeout must be positive, was %s",
                    startTimeout);
            this.startTimeout = startTimeout;
            return this;
        }

        /** A setting of {@code config.yaml} that replaces or adds to the defaults. */
        public Builder optConfig(String key, String value) {
            checkArgument(key != null && !key.isBlank(), "config key must not be blank");
            checkArgument(value != null, "config value of %s must not be null", key);
            overrides.put(key, value);
            return this;
        }

        /**
         * Writes the configuration, starts the JobManager and waits for its REST endpoint, then
         * starts the TaskManagers and waits until they have registered. Stops what it started if
         * anything fails.
         */
        public StandaloneCluster start() throws IOException {
            Path confDir = workDir.resolve("conf");
            Path logDir = workDir.resolve("logs");
            Files.createDirectories(confDir);
            Files.createDirectories(logDir);
            Files.createDirectories(workDir.resolve("tmp"));
            Files.writeString(confDir.resolve("log4j.properties"), LOG4J);
            writeClasspathArgs(confDir.resolve("classpath.args"));
            for (int attempt = 1; ; attempt++) {
                Configuration config = configuration();
                Files.write(
                        confDir.resolve("config.yaml"),
                        ConfigurationUtils.convertConfigToWritableLines(config, false),
                        StandardCharsets.UTF_8);
                JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
                List<String> jvm =
                        split(JobManagerProcessUtils.generateJvmParametersStr(spec, config));
                jvm.addAll(split(config.get(OPTS_JM)));
                List<String> dynamic =
                        split(JobManagerProcessUtils.generateDynamicConfigsStr(spec));
                Process jobManager =
                        launch(
                                "jobmanager",
                                config,
                                jvm,
                                JOB_MANAGER_CLASS,
                                dynamic,
                                confDir,
                                logDir);
                StandaloneCluster cluster =
                        new StandaloneCluster(workDir, config, startTimeout, jobManager);
                try {
                    cluster.await(
                            "the JobManager's REST endpoint " + cluster.rest.base(),
                            () -> {
                                checkAlive(jobManager, "jobmanager");
                                return cluster.rest.tryGet("/overview").isPresent();
                            });
                    for (int i = 0; i < taskManagers; i++) {
                        cluster.startTaskManager();
                    }
                    return cluster;
                } catch (ProcessDied e) {
                    cluster.close();
                    String log = tail(logDir.resolve("jobmanager.log"));
                    if (attempt < BIND_ATTEMPTS && log.contains("BindException")) {
                        continue; // a port picked as free was taken in between: new ports
                    }
                    throw new IllegalStateException(
                            e.getMessage()
                                    + "; logs in "
                                    + logDir
                                    + ", jobmanager.log ends with:\n"
                                    + log,
                            e);
                } catch (RuntimeException | IOException e) {
                    cluster.close();
                    throw e;
                }
            }
        }

        private Configuration configuration() throws IOException {
            Map<String, String> c = new LinkedHashMap<>();
            c.put("jobmanager.rpc.address", HOST);
            c.put("jobmanager.bind-host", HOST);
            c.put("jobmanager.rpc.port", Integer.toString(freePort()));
            c.put("rest.address", HOST);
            c.put("rest.bind-address", HOST);
            c.put("rest.port", Integer.toString(freePort()));
            c.put("blob.server.port", Integer.toString(freePort()));
            c.put("taskmanager.host", HOST);
            c.put("taskmanager.bind-host", HOST);
            c.put("taskmanager.numberOfTaskSlots", Integer.toString(slotsPerTaskManager));
            // Small enough for several JVMs on a laptop; libtorch's native memory comes from the
            // JVM overhead share of the process size.
            c.put("jobmanager.memory.process.size", "800m");
            c.put("taskmanager.memory.process.size", "1200m");
            c.put("taskmanager.memory.managed.size", "64m");
            c.put("parallelism.default", "1");
            c.put("heartbeat.interval", "2s");
            c.put("heartbeat.timeout", "10s");
            c.put("restart-strategy.type", "fixed-delay");
            c.put("restart-strategy.fixed-delay.attempts", "20");
            c.put("restart-strategy.fixed-delay.delay", "1s");
            c.put("state.backend.type", "hashmap");
            c.put("execution.checkpointing.storage", "filesystem");
            c.put("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
            c.put(
                    "execution.checkpointing.savepoint-dir",
                    workDir.resolve("savepoints").toUri().toString());
            c.put("io.tmp.dirs", workDir.resolve("tmp").toString());
            c.put("web.tmpdir", workDir.resolve("tmp").toString());
            c.put("env.java.default-opts.all", JAVA_17_OPTIONS);
            // Flink's lib/ holds DJL and the natives; nothing may download at job start.
            c.put("env.java.opts.all", "-Dai.djl.offline=true -XX:+UseG1GC");
            c.putAll(overrides);
            return Configuration.fromMap(c);
        }

        private void writeClasspathArgs(Path file) throws IOException {
            StringBuilder classpath = new StringBuilder();
            for (Path jar : libClasspath) {
                classpath
                        .append(classpath.length() == 0 ? "" : File.pathSeparator)
                        .append(jar.toAbsolutePath());
            }
            String quoted = classpath.toString().replace("\\", "\\\\").replace("\"", "\\\"");
            Files.writeString(file, "-cp\n\"" + quoted + "\"\n");
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 1);
                return socket.getLocalPort();
            }
        }
    }

    /** Flink's own log4j setup, less verbose: INFO for Flink's lifecycle, WARN for the noise. */
    private static final String LOG4J =
            String.join(
                    "\n",
                    "monitorInterval = 0",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.file.ref = MainAppender",
                    "logger.kafka.name = org.apache.kafka",
                    "logger.kafka.level = WARN",
                    "logger.pekko.name = org.apache.pekko",
                    "logger.pekko.level = WARN",
                    "logger.netty.name = org.apache.flink.shaded.netty4",
                    "logger.netty.level = WARN",
                    "logger.zookeeper.name = org.apache.zookeeper",
                    "logger.zookeeper.level = WARN",
                    "appender.main.name = MainAppender",
                    "appender.main.type = File",
                    "appender.main.append = true",
                    "appender.main.fileName = ${sys:log.file}",
                    "appender.main.layout.type = PatternLayout",
                    "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                    "");

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void checkArgument(boolean condition, String message, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(message, args));
        }
    }
}
