package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.ConfigFlags;
import dev.flinkgru.tools.command.ErrorPrinter;
import dev.flinkgru.tools.command.ModelFlags;
import dev.flinkgru.tools.command.Progress;
import dev.flinkgru.tools.io.RejectsFile;
import dev.flinkgru.tools.io.ReplayInput;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru state bootstrap --events history.csv --model M.onnx|M.pt --hidden-size H
 * --layers L --savepoint-out D}: runs the history through the batched predictor offline and writes
 * the final states as a savepoint of the GRU operator (uid {@link GruInference#DEFAULT_UID}, max
 * parallelism {@link ReplaySavepoint#MAX_PARALLELISM}) into D, with the manifest that {@code replay
 * --resume D} reads. Its {@code skip-rows} is 0: resume with the events that follow the history.
 */
@Command(
        name = "bootstrap",
        sortOptions = false,
        showDefaultValues = true,
        customSynopsis = {
            "flink-gru state bootstrap --events history.csv --model M.onnx|M.pt --hidden-size H --layers L",
            "    --savepoint-out D [--batch-size N] [--device cpu|gpu|gpu:N|auto]",
            "    [--backend auto|onnx|torchscript|reference] [--model-sha256 HEX] [--rejects FILE]"
        },
        description = {
            "Writes the states after a history of events as a savepoint.",
            "Runs a history of events through the batched predictor offline, as the operator would,"
                    + " and writes the final states as a new savepoint in D with the manifest that"
                    + " replay --resume D reads (skip-rows 0: resume with the events that follow).",
            ""
        })
final class StateBootstrap implements Callable<Integer>, ConfigFlags {

    @Option(
            names = "--events",
            required = true,
            paramLabel = "history.csv",
            description = "The history, as replay's IN.csv.")
    Path events;

    @Mixin ModelFlags model;

    @Option(
            names = "--savepoint-out",
            required = true,
            paramLabel = "D",
            description = "The savepoint directory to write.")
    Path out;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "256",
            description = "Largest batch of a round.")
    int batchSize;

    @Option(
            names = "--rejects",
            paramLabel = "FILE",
            description = "Writes the refused rows there as CSV: seq,reason,raw.")
    Path rejects;

    @Override
    public Map<String, String> flagsByKey() {
        return Map.of(GruOptions.BATCH_MAX_SIZE.key(), "--batch-size");
    }

    @Override
    public Integer call() {
        model.check();
        CliException.checkAtLeastOne("--batch-size", batchSize);
        long began = System.nanoTime();
        Progress reading = Progress.start("state bootstrap");
        ReplayInput history = ReplayInput.read(events, 0, Long.MAX_VALUE, reading);
        Progress progress = reading.forWork(history.events().size());
        if (history.events().isEmpty()) {
            throw CliException.failure(
                    events + " has no valid events (" + history.rejected().size() + " rejected)");
        }
        BatchPredictorFactory factory = model.predictor();
        ModelShape shape;
        HistoryRounds.Result result;
        try (BatchPredictor predictor = ModelFlags.open(factory, history.features(), batchSize)) {
            shape = predictor.shape();
            long total = history.events().size();
            result =
                    HistoryRounds.run(
                            history.events(),
                            predictor,
                            batchSize,
                            GruOptions.PREDICTOR_MAX_FAILED_ROWS.defaultValue(),
                            done ->
                                    progress.report(
                                            () ->
                                                    String.format(
                                                            Locale.ROOT,
                                                            "%,d of %,d history events run",
                                                            done,
                                                            total)));
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(
                    CliException.FAILURE,
                    "running the history failed: " + ErrorPrinter.rootMessage(e),
                    e);
        }
        if (rejects != null) {
            RejectsFile.write(rejects, history.rejected());
        }
        Map<String, HiddenState> states = result.states();
        List<KeyedHiddenState> rows = new ArrayList<>(states.size());
        states.forEach((key, state) -> rows.add(new KeyedHiddenState(key, state)));

        Path savepoint =
                out.resolve(
                        String.format(
                                "savepoint-bootstrap-%08x", ThreadLocalRandom.current().nextInt()));
        progress.report(
                () ->
                        String.format(
                                Locale.ROOT,
                                "writing %,d keys' states to %s",
                                rows.size(),
                                savepoint));
        HiddenStateWriter.write(
                rows, savepoint, GruInference.DEFAULT_UID, ReplaySavepoint.MAX_PARALLELISM);
        new ReplaySavepoint(
                        savepoint,
                        ReplaySavepoint.BOOTSTRAP,
                        0,
                        history.events().size(),
                        shape.fingerprint(),
                        model.hiddenSize(),
                        model.layers(),
                        1,
                        ReplaySavepoint.MAX_PARALLELISM,
                        GruInference.DEFAULT_UID)
                .write(out);
        StringBuilder summary =
                new StringBuilder(
                        String.format(
                                "state bootstrap: %d events of %d keys, %d rows rejected",
                                history.events().size(), rows.size(), history.rejected().size()));
        if (!history.rejected().isEmpty()) {
            summary.append(" (first: ").append(history.firstRejection()).append(')');
        }
        if (!result.refused().isEmpty()) {
            HistoryRounds.Refusal first = result.refused().get(0);
            summary.append(
                    String.format(
                            "; %d events refused as the operator would (first: seq %d: %s)",
                            result.refused().size(), first.event().eventId, first.reason()));
        }
        summary.append(
                String.format(
                        " -> %s (%.2f s); replay --resume %s runs all rows of its --events",
                        savepoint, (System.nanoTime() - began) / 1e9, out));
        System.err.println(summary);
        return 0;
    }
}
