package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.ErrorPrinter;
import dev.flinkgru.tools.command.LocalCluster;
import dev.flinkgru.tools.command.Progress;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.NoWatermarksGenerator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.ExceptionUtils;

/**
 * One replay run in a local MiniCluster: events source (uid {@value #SOURCE_UID}) → keyBy key → GRU
 * operator (uid {@link GruInference#DEFAULT_UID}) → OUT.csv rows (uids {@value #ROWS_UID}, {@value
 * #SINK_UID}). The rows are appended to OUT.csv, whose header the caller has written.
 *
 * <p>Events the operator refuses (late rows, non-finite outputs, rows the model fails on) become
 * rejects rows (uids {@value #REFUSED_UID}, {@value #REJECTS_SINK_UID}), appended to the rejects
 * file if there is one. In event-time order the source emits watermarks ({@link ReplaySource}) and
 * a probe (uid {@value #WATERMARK_UID}) reports the last one the operator forwarded.
 *
 * <p>It may start from a savepoint (restoring the operator's keyed state; every piece of state in
 * the savepoint must map to this job) and may end in one: then the source idles after its events,
 * the client waits until every event has been predicted or refused (in event-time order: until the
 * operator has forwarded the source's last watermark; the events it did not release wait in the
 * savepoint), and stops the job with a canonical savepoint, without draining: no end-of-input
 * watermark releases waiting events early. The operator flushes its buffer before the savepoint
 * barrier anyway, and the idle source sends nothing after it, so the savepoint holds the states
 * after exactly these events.
 */
final class ReplayJob {

    static final String SOURCE_UID = "replay-source";
    static final String ROWS_UID = "replay-rows";
    static final String SINK_UID = "replay-sink";
    static final String WATERMARK_UID = "replay-watermark";
    static final String REFUSED_UID = "replay-refused";
    static final String REJECTS_SINK_UID = "replay-rejects";

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration POLL_END = Duration.ofMillis(500);
    private static final Duration STALL = Duration.ofMinutes(5);
    private static final Duration TASKS_STARTING = Duration.ofMinutes(1);

    /**
     * What a run did.
     *
     * @param predictions rows written to OUT.csv
     * @param refused events the operator refused (rejects rows)
     * @param savepoint the savepoint taken at the end, or null
     */
    record Result(long predictions, long refused, Path savepoint) {}

    private final List<GruEvent> events;
    private final int features;
    private final GruInference inference;
    private final int parallelism;
    private final Path out;
    private final Path restoreFrom;
    private final Path savepointDir;
    private final Path rejects;
    private final Order order;
    private final Path stateDir;
    private final Progress progress;

    /**
     * How the source orders time: {@code watermarkBound} -1 for arrival order (no watermarks), else
     * how far the watermarks trail the largest timestamp, in ms, from {@code previousMaxTs} (the
     * largest timestamp of the rows earlier runs read).
     */
    record Order(long watermarkBound, long previousMaxTs) {
        static final Order ARRIVAL = new Order(-1, Long.MIN_VALUE);

        boolean eventTime() {
            return watermarkBound >= 0;
        }
    }

    /**
     * @param events the events to run, in file order
     * @param features F
     * @param inference the operator
     * @param parallelism the operator's parallelism
     * @param out OUT.csv, header already written
     * @param restoreFrom a Flink savepoint to start from, or null
     * @param savepointDir where to take a savepoint after the events (the job then stops), or null
     * @param rejects the rejects file to append the operator's refusals to, or null
     * @param order arrival order, or the event-time watermarks the source emits
     * @param stateDir the local cluster's checkpoint storage ({@link LocalCluster#forJobs})
     * @param progress where the predictions so far are reported while the job runs
     */
    ReplayJob(
            List<GruEvent> events,
            int features,
            GruInference inference,
            int parallelism,
            Path out,
            Path restoreFrom,
            Path savepointDir,
            Path rejects,
            Order order,
            Path stateDir,
            Progress progress) {
        this.events = events;
        this.features = features;
        this.inference = inference;
        this.parallelism = parallelism;
        this.out = out;
        this.restoreFrom = restoreFrom;
        this.savepointDir = savepointDir;
        this.rejects = rejects;
        this.order = order;
        this.stateDir = stateDir;
        this.progress = progress;
    }

    Result run() {
        Configuration config = LocalCluster.forJobs(stateDir, new Configuration());
        // Without checkpoints a restart would run the events again from the first and write
        // their rows twice: a failure ends the run.
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (restoreFrom != null) {
            SavepointRestoreSettings.toConfiguration(
                    SavepointRestoreSettings.forPath(restoreFrom.toUri().toString(), false),
                    config);
        }
        // Running tasks report accumulators with their heartbeats; the client polls them, for the
        // savepoint (often) and for progress (at most every few seconds).
        config.set(
                HeartbeatManagerOptions.HEARTBEAT_INTERVAL,
                savepointDir != null ? Duration.ofMillis(100) : Duration.ofSeconds(1));
        StreamExecutionEnvironment env = LocalCluster.environment("flink-gru replay", config);
        env.setParallelism(parallelism);
        env.setMaxParallelism(ReplaySavepoint.MAX_PARALLELISM);
        var source =
                env.fromSource(
                                new ReplaySource(
                                        events,
                                        features,
                                        savepointDir != null,
                                        order.watermarkBound(),
                                        order.previousMaxTs()),
                                order.eventTime()
                                        // The source emits its watermarks itself, per row.
                                        ? WatermarkStrategy.<GruEvent>forGenerator(
                                                        ctx -> new NoWatermarksGenerator<>())
                                                .withTimestampAssigner((e, t) -> e.timestamp)
                                        : WatermarkStrategy.noWatermarks(),
                                "replay events")
                        .uid(SOURCE_UID)
                        .setParallelism(1);
        SingleOutputStreamOperator<GruPrediction> predictions =
                inference.apply(source.keyBy(GruEvent::getKey));
        var refused =
                predictions
                        .getSideOutput(GruInference.REJECTED)
                        .map(new RejectedRows())
                        .uid(REFUSED_UID)
                        .name("rejects rows")
                        .setParallelism(1);
        if (rejects != null) {
            refused.sinkTo(new LineFileSink(rejects.toString()))
                    .uid(REJECTS_SINK_UID)
                    .name("rejects")
                    .setParallelism(1);
        } else {
            refused.sinkTo(new DiscardingSink<>())
                    .uid(REJECTS_SINK_UID)
                    .name("rejects (counted only)")
                    .setParallelism(1);
        }
        predictions
                .transform(
                        "watermark probe",
                        predictions.getType(),
                        new WatermarkProbe<GruPrediction>())
                .uid(WATERMARK_UID)
                .setParallelism(1)
                .map(new PredictionRows())
                .uid(ROWS_UID)
                .name("OUT.csv rows")
                .setParallelism(1)
                .sinkTo(new LineFileSink(out.toString()))
                .uid(SINK_UID)
                .name("OUT.csv")
                .setParallelism(1);
        try {
            JobClient client = env.executeAsync("flink-gru replay");
            if (savepointDir == null) {
                return runToEnd(client);
            }
            return runToSavepoint(client);
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new CliException(
                    CliException.FAILURE,
                    "the replay job failed: " + ErrorPrinter.rootMessage(rootCause(e)),
                    e);
        }
    }

    /** Waits for the job's end, reporting progress meanwhile. */
    private Result runToEnd(JobClient client) throws Exception {
        try {
            while (true) {
                try {
                    JobExecutionResult result =
                            client.getJobExecutionResult()
                                    .get(POLL_END.toMillis(), TimeUnit.MILLISECONDS);
                    return new Result(
                            count(result.getAllAccumulatorResults()),
                            refused(result.getAllAccumulatorResults()),
                            null);
                } catch (TimeoutException e) {
                    progress.report(() -> predictionsSoFar(client));
                }
            }
        } catch (InterruptedException e) {
            client.cancel();
            throw e;
        }
    }

    private String predictionsSoFar(JobClient client) {
        long n;
        try {
            n = count(client.getAccumulators().get());
        } catch (Exception e) {
            n = 0; // not running yet or already ending: the next report will tell
        }
        if (n == 0) {
            return String.format(
                    Locale.ROOT, "the job is starting: %,d events to run", (long) events.size());
        }
        return String.format(
                Locale.ROOT, "%,d of %,d predictions written", n, (long) events.size());
    }

    private Result runToSavepoint(JobClient client) throws Exception {
        try {
            awaitPredictions(client, events.size());
            Path savepoint = stopWithSavepoint(client);
            JobExecutionResult result = client.getJobExecutionResult().get();
            return new Result(
                    count(result.getAllAccumulatorResults()),
                    refused(result.getAllAccumulatorResults()),
                    savepoint);
        } catch (Exception e) {
            client.cancel();
            throw e;
        }
    }

    /**
     * Polls the job until every event is out: in arrival order until its predictions and refusals
     * reach {@code expected}; in event-time order until the operator forwarded the source's last
     * watermark (what it did not release waits in state).
     */
    private void awaitPredictions(JobClient client, long expected) throws Exception {
        long lastWatermark =
                ReplaySource.finalWatermark(events, order.watermarkBound(), order.previousMaxTs());
        long seen = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            JobStatus status = client.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                client.getJobExecutionResult().get(); // throws the failure, if it failed
                throw CliException.failure(
                        "the replay job ended (" + status + ") before it took the savepoint");
            }
            Map<String, Object> accumulators =
                    status == JobStatus.RUNNING ? client.getAccumulators().get() : Map.of();
            long n = count(accumulators) + refused(accumulators);
            if (status == JobStatus.RUNNING
                    && (order.eventTime()
                            ? watermark(accumulators) >= lastWatermark
                            : n >= expected)) {
                return;
            }
            progress.report(
                    () ->
                            String.format(
                                    Locale.ROOT, "%,d of %,d predictions written", n, expected));
            if (n != seen) {
                seen = n;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                throw CliException.failure(
                        "the replay job made no progress for "
                                + STALL.toMinutes()
                                + " minutes at "
                                + n
                                + " of "
                                + expected
                                + " predictions");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * Stops the job with a canonical savepoint in {@link #savepointDir}; retries while its tasks
     * are still starting (a run without events gets here at once).
     */
    private Path stopWithSavepoint(JobClient client) throws Exception {
        String target = savepointDir.toAbsolutePath().toUri().toString();
        long deadline = System.nanoTime() + TASKS_STARTING.toNanos();
        while (true) {
            try {
                String location =
                        client.stopWithSavepoint(false, target, SavepointFormatType.CANONICAL)
                                .get();
                return ReplaySavepoint.localPath(location);
            } catch (ExecutionException e) {
                if (!tasksNotYetRunning(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }

    private static boolean tasksNotYetRunning(Throwable e) {
        Optional<CheckpointException> failure =
                ExceptionUtils.findThrowable(e, CheckpointException.class);
        return failure.isPresent()
                && (failure.get().getCheckpointFailureReason()
                                == CheckpointFailureReason.NOT_ALL_REQUIRED_TASKS_RUNNING
                        || failure.get().getCheckpointFailureReason()
                                == CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_NOT_READY);
    }

    /** Predictions written so far. */
    private static long count(Map<String, Object> accumulators) {
        return accumulator(accumulators, PredictionRows.COUNTER, 0);
    }

    /** Events the operator refused so far. */
    private static long refused(Map<String, Object> accumulators) {
        return accumulator(accumulators, RejectedRows.COUNTER, 0);
    }

    /** The last watermark the operator forwarded, or Long.MIN_VALUE. */
    private static long watermark(Map<String, Object> accumulators) {
        return accumulator(accumulators, WatermarkProbe.ACCUMULATOR, Long.MIN_VALUE);
    }

    private static long accumulator(Map<String, Object> accumulators, String name, long none) {
        Object value = accumulators.get(name);
        return value instanceof Number ? ((Number) value).longValue() : none;
    }

    private static Throwable rootCause(Throwable e) {
        // Skip Flink's wrappers ("Job execution failed", "Recovery is suppressed ...").
        Throwable t = e;
        while (t.getCause() != null
                && t.getCause() != t
                && (t instanceof ExecutionException
                        || t.getClass().getName().startsWith("org.apache.flink.runtime")
                        || t.getClass().getName().startsWith("java.util.concurrent"))) {
            t = t.getCause();
        }
        return t;
    }
}
