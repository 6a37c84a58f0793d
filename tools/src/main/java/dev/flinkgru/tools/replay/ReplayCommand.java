package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.EventOrder;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.ConfigFlags;
import dev.flinkgru.tools.command.ModelFlags;
import dev.flinkgru.tools.command.Progress;
import dev.flinkgru.tools.io.RejectsFile;
import dev.flinkgru.tools.io.ReplayInput;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru replay --model M.onnx|M.pt --hidden-size H --layers L --events IN.csv --out
 * OUT.csv [--batch-size N] [--max-delay-ms N] [--parallelism P] [--device D] [--backend B]
 * [--model-sha256 HEX] [--pipeline-depth N] [--shared-device] [--state-ttl DURATION] [--history N]
 * [--state-policy P] [--rejects FILE] [--stop-after N --savepoint-dir D] [--resume D]}.
 *
 * <p>OUT.csv has the header {@code seq,key,y0..y{O-1}} and one row per valid input event of this
 * run, values printed with {@link Float#toString} so they read back as the same float32. Bad rows
 * are refused (listed in {@code --rejects}), advance no state, and do not stop the run.
 *
 * <p>{@code --stop-after N --savepoint-dir D} runs the next N data rows only, then stops the job
 * with a savepoint in D and writes {@link ReplaySavepoint#FILE_NAME} there. {@code --resume D}
 * restores the operator's states from it and skips the rows the savepoint's runs consumed; states
 * of another model than {@code --model} are refused unless {@code --state-policy} says what to do
 * with them.
 */
@Command(
        name = "replay",
        sortOptions = false,
        showDefaultValues = true,
        customSynopsis = {
            "flink-gru replay --model M.onnx|M.pt --hidden-size H --layers L --events IN.csv --out OUT.csv",
            "    [--batch-size N] [--max-delay-ms N] [--parallelism P] [--device cpu|gpu|gpu:N|auto]",
            "    [--pipeline-depth N] [--shared-device] [--state-ttl DURATION]",
            "    [--history N] [--state-policy RESET|FAIL|KEEP|REWARM]",
            "    [--backend auto|onnx|torchscript|reference] [--model-sha256 HEX] [--rejects FILE]",
            "    [--stop-after N --savepoint-dir D] [--resume D] [--work-dir .flink-gru]"
        },
        description = {
            "Runs a CSV of events through the operator in a local Flink MiniCluster.",
            "One prediction per valid event goes to OUT.csv (header seq,key,y0..). Bad rows are"
                    + " refused, advance no state and do not stop the run.",
            ""
        },
        footer = {
            "",
            "IN.csv: a header row with key and x0..x{F-1} (any order), optional seq; other columns"
                    + " are ignored. Exit 0 with one summary line on stderr; 1 on a bad file,"
                    + " model or savepoint; 2 on bad options."
        })
public final class ReplayCommand implements Callable<Integer>, ConfigFlags {

    @Mixin ModelFlags model;

    @Option(
            names = "--events",
            required = true,
            paramLabel = "IN.csv",
            description = "The events: header key,x0..x{F-1}, optional seq.")
    Path events;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "OUT.csv",
            description = "The predictions: header seq,key,y0..y{O-1}.")
    Path out;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "256",
            description = "Largest batch, and the buffered events that force a flush.")
    int batchSize;

    @Option(
            names = "--max-delay-ms",
            paramLabel = "N",
            defaultValue = "10",
            description = "Longest wait of an event in the buffer, in ms.")
    long maxDelayMs;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            defaultValue = "1",
            description = "Parallelism of the operator.")
    int parallelism;

    @Option(
            names = "--pipeline-depth",
            paramLabel = "N",
            description =
                    "Batches in flight per subtask (1: every step on the task thread):"
                            + " gru.pipeline.depth.")
    int pipelineDepth = GruOptions.PIPELINE_DEPTH.defaultValue();

    @Option(
            names = "--shared-device",
            showDefaultValue = Visibility.NEVER,
            description =
                    "The subtasks hand their batches to one device batcher, which joins them"
                            + " into calls of up to gru.device.max-batch rows: gru.device.shared.")
    boolean sharedDevice;

    @Option(
            names = "--state-ttl",
            paramLabel = "DURATION",
            description =
                    "Expire a key's state after this idle time (processing time since its last"
                            + " event, e.g. 30m): gru.state.ttl. Unset: never.")
    Duration stateTtl;

    @Option(
            names = "--history",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Events kept per key in keyed state, for --state-policy REWARM on a later"
                            + " resume: gru.state.history. 0: none.")
    int history;

    @Option(
            names = "--state-policy",
            paramLabel = "P",
            description =
                    "What the operator does with a resumed state of another model than --model:"
                            + " RESET, FAIL, KEEP (same size L*H, else reset) or REWARM (from the"
                            + " key's last --history events): gru.state.fingerprint-mismatch."
                            + " Unset: such a --resume is refused before it starts.")
    FingerprintMismatchPolicy statePolicy;

    @Option(
            names = "--order",
            paramLabel = "ORDER",
            defaultValue = "arrival",
            description =
                    "arrival: each key's rows are stepped in file order; event-time: in ts order"
                            + " (equal ts in file order), each row waiting until the watermark"
                            + " (the largest ts read less --max-out-of-orderness) passes it; rows"
                            + " more than that behind are late, refused to --rejects. Needs a ts"
                            + " column: gru.order.")
    EventOrder order;

    @Option(
            names = "--max-out-of-orderness",
            paramLabel = "DURATION",
            defaultValue = "2s",
            description =
                    "With --order event-time, how far the watermark trails the largest ts read"
                            + " (e.g. 60s, 2m), as the Kafka jobs' job.watermark.out-of-orderness.")
    Duration maxOutOfOrderness;

    @Option(
            names = "--rejects",
            paramLabel = "FILE",
            description = "Writes the refused rows there as CSV: seq,reason,raw.")
    Path rejects;

    @Option(
            names = "--stop-after",
            paramLabel = "N",
            description =
                    "Runs the next N data rows only, then stops with a savepoint in"
                            + " --savepoint-dir.")
    Long stopAfter;

    @Option(
            names = "--savepoint-dir",
            paramLabel = "D",
            description = "Where --stop-after takes the savepoint and writes its manifest.")
    Path savepointDir;

    @Option(
            names = "--resume",
            paramLabel = "D",
            description =
                    "Restores the states of savepoint directory D and skips the rows its runs"
                            + " consumed.")
    Path resumeDir;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = ".flink-gru",
            description = "The local cluster's checkpoint storage goes to DIR/replay/.")
    Path workDir;

    @Override
    public Map<String, String> flagsByKey() {
        return Map.of(
                GruOptions.BATCH_MAX_SIZE.key(), "--batch-size",
                GruOptions.STATE_TTL.key(), "--state-ttl",
                GruOptions.STATE_HISTORY.key(), "--history",
                GruOptions.STATE_FINGERPRINT_MISMATCH.key(), "--state-policy");
    }

    @Override
    public Integer call() {
        model.check();
        CliException.checkAtLeastOne("--batch-size", batchSize);
        CliException.checkAtLeastOne("--max-delay-ms", maxDelayMs);
        CliException.checkAtLeastOne("--parallelism", parallelism);
        CliException.checkAtLeastOne("--pipeline-depth", pipelineDepth);
        if (history < 0) {
            throw CliException.usage("--history must be 0 or more, was " + history);
        }
        if (statePolicy == FingerprintMismatchPolicy.REWARM && history == 0) {
            throw CliException.usage(
                    "--state-policy REWARM rebuilds states from the events kept per key: give"
                            + " --history N");
        }
        // Without a policy (or with FAIL), states of another model are refused before the run.
        boolean refuseOtherModels =
                statePolicy == null || statePolicy == FingerprintMismatchPolicy.FAIL;
        if (stateTtl != null && (stateTtl.isZero() || stateTtl.isNegative())) {
            throw CliException.usage(
                    "--state-ttl must be longer than 0 ms, was " + stateTtl.toMillis() + " ms");
        }
        if (maxOutOfOrderness.isNegative()) {
            throw CliException.usage(
                    "--max-out-of-orderness must not be negative, was " + maxOutOfOrderness);
        }
        if ((stopAfter != null) != (savepointDir != null)) {
            throw CliException.usage("--stop-after N and --savepoint-dir D go together");
        }
        long maxRows = stopAfter == null ? Long.MAX_VALUE : stopAfter;
        CliException.checkAtLeastOne("--stop-after", maxRows);
        ReplaySavepoint resume = null;
        if (resumeDir != null) {
            try {
                resume = ReplaySavepoint.load(resumeDir);
                if (refuseOtherModels) {
                    resume.checkSizes(resumeDir, model.hiddenSize(), model.layers());
                }
            } catch (CliException e) {
                throw new CliException(e.exitCode(), "cannot resume: " + e.getMessage(), e);
            }
        }

        long began = System.nanoTime();
        Progress progress = Progress.start("replay");
        long skip = resume == null ? 0 : resume.skipRows();
        ReplayInput input = ReplayInput.read(events, skip, maxRows, progress);
        BatchPredictorFactory predictor = model.predictor();
        ModelShape shape = ModelFlags.check(predictor, input.features(), batchSize);
        if (resume != null && refuseOtherModels) {
            try {
                resume.checkModel(resumeDir, model.model(), shape.fingerprint());
            } catch (CliException e) {
                throw new CliException(e.exitCode(), "cannot resume: " + e.getMessage(), e);
            }
        }
        boolean eventTime = order == EventOrder.EVENT_TIME;
        if (eventTime && !input.hasTimestamps()) {
            throw CliException.usage(
                    "--order event-time needs a ts column (epoch milliseconds) in " + events);
        }
        if (rejects != null) {
            RejectsFile.write(rejects, input.rejected());
        }
        writeHeader(out, shape.outputSize());
        if (savepointDir != null) {
            createDirectory(savepointDir);
        }

        GruInference.Builder inference =
                GruInference.builder()
                        .setPredictor(predictor)
                        .setInputSize(input.features())
                        .optMaxBatchSize(batchSize)
                        .optMaxDelay(Duration.ofMillis(maxDelayMs))
                        .optPipelineDepth(pipelineDepth)
                        .optOrder(order)
                        .optDeviceShared(sharedDevice)
                        .optDeviceMaxBatch(
                                Math.max(GruOptions.DEVICE_MAX_BATCH.defaultValue(), batchSize));
        if (stateTtl != null) {
            inference.optStateTtl(stateTtl);
        }
        if (history > 0) {
            inference.optStateHistory(history);
        }
        if (statePolicy != null) {
            inference.optMismatchPolicy(statePolicy);
        } else if (resume != null) {
            // States of another model were refused above; never reset one silently.
            inference.optMismatchPolicy(FingerprintMismatchPolicy.FAIL);
        }
        ReplayJob.Result result =
                new ReplayJob(
                                input.events(),
                                input.features(),
                                inference.build(),
                                parallelism,
                                out,
                                resume == null ? null : resume.savepoint(),
                                savepointDir,
                                rejects,
                                eventTime
                                        ? new ReplayJob.Order(
                                                maxOutOfOrderness.toMillis(),
                                                input.skippedMaxTimestamp())
                                        : ReplayJob.Order.ARRIVAL,
                                workDir.resolve("replay"),
                                progress.forWork(input.events().size()))
                        .run();
        System.err.println(summary(input, result, out, rejects, began, parallelism, batchSize));
        // Every event is predicted or refused, but those that wait in the savepoint.
        long waitingBefore = resume == null ? 0 : resume.waiting();
        long due = waitingBefore + input.events().size();
        long waiting = due - result.predictions() - result.refused();
        if (waiting < 0 || (waiting > 0 && (!eventTime || savepointDir == null))) {
            throw CliException.failure(
                    "wrote "
                            + result.predictions()
                            + " predictions and refused "
                            + result.refused()
                            + " for "
                            + due
                            + " events");
        }
        if (savepointDir != null) {
            ReplaySavepoint taken =
                    new ReplaySavepoint(
                            result.savepoint(),
                            ReplaySavepoint.REPLAY,
                            skip + input.rows(),
                            (resume == null ? 0 : resume.events()) + input.events().size(),
                            shape.fingerprint(),
                            model.hiddenSize(),
                            model.layers(),
                            parallelism,
                            ReplaySavepoint.MAX_PARALLELISM,
                            GruInference.DEFAULT_UID,
                            waiting);
            taken.write(savepointDir);
            System.err.printf(
                    "replay: savepoint after %d rows of %s in %s%s; continue with --resume %s%n",
                    taken.skipRows(),
                    events,
                    result.savepoint(),
                    waiting > 0 ? " (" + waiting + " events wait there for the watermark)" : "",
                    savepointDir);
        }
        return 0;
    }

    /**
     * E.g. {@code replay: 746 events -> 746 predictions in out.csv (4.1 s, parallelism 2, batch
     * size 256); 3 rows rejected -> rejects.csv, the first: in.csv line 5: x1 'a' is not a number}.
     */
    private static String summary(
            ReplayInput input,
            ReplayJob.Result result,
            Path out,
            Path rejects,
            long began,
            int parallelism,
            int batchSize) {
        StringBuilder s =
                new StringBuilder(
                        String.format(
                                "replay: %d events -> %d predictions in %s (%.2f s, parallelism %d,"
                                        + " batch size %d); %d rows rejected",
                                input.events().size(),
                                result.predictions(),
                                out,
                                (System.nanoTime() - began) / 1e9,
                                parallelism,
                                batchSize,
                                input.rejected().size() + result.refused()));
        if (rejects != null) {
            s.append(" -> ").append(rejects);
        }
        if (!input.rejected().isEmpty()) {
            s.append(", the first: ").append(input.firstRejection());
        }
        if (result.refused() > 0) {
            s.append(input.rejected().isEmpty() ? ": " : "; ")
                    .append(result.refused())
                    .append(" refused by the operator (late, or the model's output)");
        }
        if (rejects == null && (!input.rejected().isEmpty() || result.refused() > 0)) {
            s.append(" (--rejects FILE lists them all)");
        }
        if (input.skippedRows() > 0) {
            s.append("; skipped the first ").append(input.skippedRows()).append(" rows (--resume)");
        }
        return s.toString();
    }

    private static void writeHeader(Path out, int outputs) {
        try {
            Files.writeString(out, PredictionRows.header(outputs), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.failure("cannot write " + out + ": " + e.getMessage());
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw CliException.failure("cannot create " + dir + ": " + e.getMessage());
        }
    }
}
