package dev.flinkgru.tools.command;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.JobListener;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironmentFactory;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.SerializedThrowable;

/**
 * Every Flink MiniCluster the tools start ({@code job}, {@code demo}, {@code replay}, {@code
 * bench}, {@code state}), in one place:
 *
 * <ul>
 *   <li>closed to the network: REST, RPC, blob server, data exchange and collect sinks bind to
 *       {@value #LOOPBACK} only ({@link #network});
 *   <li>real state: checkpoints and savepoints on the file system under the command's work
 *       directory, never in the JobManager's memory, and a restart strategy that gives up after
 *       {@value #RESTART_ATTEMPTS} restarts ({@link #forJobs});
 *   <li>no silent failure: each failure of a job and each failed checkpoint while it runs is one
 *       line on stderr, its root cause ({@link #environment}); the last failure is the command's
 *       error ({@link #jobFailed}).
 * </ul>
 */
public final class LocalCluster {

    /** The address every socket of a local cluster binds to. */
    public static final String LOOPBACK = "127.0.0.1";

    /** Restarts after a failure before a local job fails for good. */
    public static final int RESTART_ATTEMPTS = 3;

    /** The wait before each restart. */
    public static final Duration RESTART_DELAY = Duration.ofSeconds(1);

    /** How often a job is looked at: more often than it can restart ({@link #RESTART_DELAY}). */
    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * The checkpoint failures Flink's {@code CheckpointFailureManager} counts against {@code
     * execution.checkpointing.tolerable-failed-checkpoints}; the others (a checkpoint triggered
     * while tasks finish or the job restarts or stops) are part of a job's normal life.
     */
    private static final List<CheckpointFailureReason> COUNTED =
            List.of(
                    CheckpointFailureReason.IO_EXCEPTION,
                    CheckpointFailureReason.CHECKPOINT_ASYNC_EXCEPTION,
                    CheckpointFailureReason.CHECKPOINT_DECLINED,
                    CheckpointFailureReason.CHECKPOINT_EXPIRED);

    private LocalCluster() {}

    /**
     * {@code config} with every listening socket of the cluster on {@value #LOOPBACK}: the REST
     * endpoint (any free port), the blob server and RPC (the JobManager's bind host), the data
     * exchange and the collect sinks' servers (the TaskManager's bind host).
     */
    public static Configuration network(Configuration config) {
        config.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        config.set(RestOptions.ADDRESS, LOOPBACK);
        config.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        config.set(JobManagerOptions.ADDRESS, LOOPBACK);
        config.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        config.set(TaskManagerOptions.HOST, LOOPBACK);
        return config;
    }

    /**
     * {@link #network}, and for jobs that hold state: checkpoints in {@code stateDir/checkpoints}
     * and savepoints in {@code stateDir/savepoints} (each job in a directory named by its id), and
     * a fixed-delay restart strategy of {@value #RESTART_ATTEMPTS} attempts, {@link #RESTART_DELAY}
     * apart.
     */
    public static Configuration forJobs(Path stateDir, Configuration config) {
        network(config);
        Path dir = stateDir.toAbsolutePath().normalize();
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        config.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("checkpoints").toUri().toString());
        config.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                dir.resolve("savepoints").toUri().toString());
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTART_ATTEMPTS);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, RESTART_DELAY);
        return config;
    }

    /**
     * An environment whose jobs each run in a MiniCluster of their own, started with {@code config}
     * (see {@link #network} and {@link #forJobs}). Until a job ends, each of its failures it
     * restarts from and each checkpoint that fails (unless the job is being cancelled) is one line
     * on stderr, {@code <command>: <what>: <root cause>}.
     */
    public static StreamExecutionEnvironment environment(String command, Configuration config) {
        config.set(DeploymentOptions.TARGET, LocalExecutor.NAME);
        config.set(DeploymentOptions.ATTACHED, true);
        AtomicReference<MiniCluster> cluster = new AtomicReference<>();
        StreamExecutionEnvironment env =
                new StreamExecutionEnvironment(
                        new Executors(cluster), config, LocalCluster.class.getClassLoader());
        env.registerJobListener(new FailureReporter(command, cluster));
        return env;
    }

    /**
     * Runs {@code main} (a job's {@code main}, which asks {@link
     * StreamExecutionEnvironment#getExecutionEnvironment} for its environment) on {@link
     * #environment}s of {@link #forJobs}{@code (stateDir)}, the job's own configuration on top.
     */
    public static void runAsContext(String command, Path stateDir, Callable<Void> main)
            throws Exception {
        Context.install(
                jobConfig -> {
                    Configuration config = forJobs(stateDir, new Configuration());
                    config.addAll(Configuration.fromMap(jobConfig.toMap()));
                    return environment(command, config);
                });
        try {
            main.call();
        } finally {
            Context.reset();
        }
    }

    /**
     * The error of a command whose local job failed for good: {@code the job failed: <root cause>},
     * with the number of restarts it gave up after, if it did.
     */
    public static CliException jobFailed(Throwable failure) {
        boolean gaveUp =
                ExceptionUtils.findThrowableWithMessage(failure, "Recovery is suppressed")
                        .isPresent();
        return new CliException(
                CliException.FAILURE,
                "the job failed"
                        + (gaveUp ? " (gave up after " + RESTART_ATTEMPTS + " restarts)" : "")
                        + ": "
                        + rootCause(failure),
                failure);
    }

    /** The first line of the deepest cause of {@code e}, with its class name. */
    public static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // A failure from the cluster is a SerializedThrowable: its message is the original's
        // class name and message.
        String line = root instanceof SerializedThrowable ? root.getMessage() : root.toString();
        return line.split("\n", 2)[0].strip();
    }

    /** Executors that start a MiniCluster per job and keep a reference to it. */
    private static final class Executors
            implements PipelineExecutorServiceLoader, PipelineExecutorFactory {
        private final AtomicReference<MiniCluster> cluster;

        Executors(AtomicReference<MiniCluster> cluster) {
            this.cluster = cluster;
        }

        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
            return this;
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(LocalExecutor.NAME);
        }

        @Override
        public String getName() {
            return LocalExecutor.NAME;
        }

        @Override
        public boolean isCompatibleWith(Configuration configuration) {
            return true;
        }

        @Override
        public PipelineExecutor getExecutor(Configuration configuration) {
            return LocalExecutor.createWithFactory(
                    configuration,
                    miniClusterConfig -> {
                        MiniCluster started = new MiniCluster(miniClusterConfig);
                        cluster.set(started);
                        return started;
                    });
        }
    }

    /**
     * Watches each job it is told of, from its submission to its end, and prints a line for each
     * new failure (while the job restarts) and each checkpoint that fails, but while it is being
     * cancelled. The last failure, after which the job fails for good, is the command's to report.
     */
    private static final class FailureReporter implements JobListener {
        private final String command;
        private final AtomicReference<MiniCluster> cluster;

        FailureReporter(String command, AtomicReference<MiniCluster> cluster) {
            this.command = command;
            this.cluster = cluster;
        }

        @Override
        public void onJobSubmitted(JobClient client, Throwable throwable) {
            MiniCluster miniCluster = cluster.get();
            if (client == null || miniCluster == null) {
                return;
            }
            Thread watcher =
                    new Thread(
                            () -> watch(miniCluster, client.getJobID()),
                            "flink-gru failure reporter");
            watcher.setDaemon(true);
            watcher.start();
        }

        @Override
        public void onJobExecuted(JobExecutionResult result, Throwable throwable) {}

        private void watch(MiniCluster miniCluster, JobID job) {
            long lastFailure = 0;
            long lastFailedCheckpoint = -1;
            while (true) {
                AccessExecutionGraph graph;
                try {
                    CompletableFuture<? extends AccessExecutionGraph> request =
                            miniCluster.getExecutionGraph(job);
                    graph = request.get(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    return; // the job or its cluster is gone
                }
                JobStatus status = graph.getState();
                boolean restarting =
                        status == JobStatus.RUNNING
                                || status == JobStatus.RESTARTING
                                || status == JobStatus.CREATED
                                || status == JobStatus.INITIALIZING;
                ErrorInfo failure = graph.getFailureInfo();
                if (failure != null && failure.getTimestamp() != lastFailure) {
                    lastFailure = failure.getTimestamp();
                    if (restarting) {
                        say(
                                "the job failed and restarts (at most "
                                        + RESTART_ATTEMPTS
                                        + " times): "
                                        + rootCause(failure.getException()));
                    }
                }
                if (status != JobStatus.CANCELLING && status != JobStatus.CANCELED) {
                    lastFailedCheckpoint = reportFailedCheckpoints(graph, lastFailedCheckpoint);
                }
                if (status.isGloballyTerminalState()) {
                    return;
                }
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /**
         * Reports the failed checkpoints after {@code after} that count against the tolerable
         * failures (those that fail the job once there are more than it tolerates); returns the
         * last failed one's id.
         */
        private long reportFailedCheckpoints(AccessExecutionGraph graph, long after) {
            CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
            if (stats == null) {
                return after;
            }
            List<AbstractCheckpointStats> history = stats.getHistory().getCheckpoints();
            long last = after;
            for (int i = history.size() - 1; i >= 0; i--) { // the history is newest first
                AbstractCheckpointStats checkpoint = history.get(i);
                if (checkpoint.getStatus() != CheckpointStatsStatus.FAILED
                        || checkpoint.getCheckpointId() <= after) {
                    continue;
                }
                last = Math.max(last, checkpoint.getCheckpointId());
                String message = ((FailedCheckpointStats) checkpoint).getFailureMessage();
                if (message != null
                        && COUNTED.stream().anyMatch(r -> message.contains(r.message()))) {
                    say(
                            "checkpoint "
                                    + checkpoint.getCheckpointId()
                                    + " failed: "
                                    + message.split("\n", 2)[0].strip());
                }
            }
            return last;
        }

        private void say(String line) {
            System.err.println(command + ": " + line);
            System.err.flush();
        }
    }

    /** Installs the context environment of {@link #runAsContext}: a protected hook of Flink's. */
    private static final class Context extends StreamExecutionEnvironment {
        static void install(StreamExecutionEnvironmentFactory factory) {
            initializeContextEnvironment(factory);
        }

        static void reset() {
            resetContextEnvironment();
        }
    }
}
