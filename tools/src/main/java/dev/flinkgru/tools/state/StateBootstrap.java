package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.tools.cli.CliException;
import dev.flinkgru.tools.cli.Options;
import dev.flinkgru.tools.replay.ModelOptions;
import dev.flinkgru.tools.replay.RejectsFile;
import dev.flinkgru.tools.replay.ReplayInput;
import dev.flinkgru.tools.replay.ReplaySavepoint;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code flink-gru state bootstrap --events history.csv --model M.pt --hidden-size H --layers L
 * --savepoint-out D}: runs the history through the batched predictor offline and writes the final
 * states as a savepoint of the GRU operator (uid {@link GruInference#DEFAULT_UID}, max parallelism
 * {@link ReplaySavepoint#MAX_PARALLELISM}) into D, with the manifest that {@code replay --resume D}
 * reads. Its {@code skip-rows} is 0: resume with the events that follow the history.
 */
final class StateBootstrap {

    static final String USAGE =
            "usage: flink-gru state bootstrap --events history.csv --model M.pt --hidden-size H"
                    + " --layers L --savepoint-out D [--batch-size N]"
                    + " [--device cpu|gpu|gpu:N|auto] [--backend torchscript|reference]"
                    + " [--rejects FILE]";

    private static final Set<String> OPTIONS =
            Set.of(
                    "events",
                    "model",
                    "hidden-size",
                    "layers",
                    "savepoint-out",
                    "batch-size",
                    "device",
                    "backend",
                    "rejects");

    private StateBootstrap() {}

    static int run(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        Options options = Options.parse(args, OPTIONS, Set.of());
        Path events = Paths.get(options.required("events"));
        String model = options.required("model");
        int hidden = options.requiredInt("hidden-size");
        int layers = options.requiredInt("layers");
        Path out = Paths.get(options.required("savepoint-out"));
        int batchSize = options.getInt("batch-size", 256);
        if (hidden < 1 || layers < 1 || batchSize < 1) {
            throw CliException.usage("--hidden-size, --layers and --batch-size must be at least 1");
        }
        long began = System.nanoTime();
        ReplayInput history = ReplayInput.read(events);
        if (history.events().isEmpty()) {
            throw CliException.failure(
                    events + " has no valid events (" + history.rejected().size() + " rejected)");
        }
        BatchPredictorFactory factory = ModelOptions.predictor(options, model, hidden, layers);
        ModelShape shape;
        HistoryRounds.Result result;
        try (BatchPredictor predictor = ModelOptions.open(factory, history.features(), batchSize)) {
            shape = predictor.shape();
            result =
                    HistoryRounds.run(
                            history.events(),
                            predictor,
                            batchSize,
                            GruOptions.PREDICTOR_MAX_FAILED_ROWS.defaultValue());
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(
                    CliException.FAILURE,
                    "running the history failed: " + ModelOptions.rootMessage(e),
                    e);
        }
        if (options.has("rejects")) {
            RejectsFile.write(Paths.get(options.required("rejects")), history.rejected());
        }
        Map<String, HiddenState> states = result.states();
        List<KeyedHiddenState> rows = new ArrayList<>(states.size());
        states.forEach((key, state) -> rows.add(new KeyedHiddenState(key, state)));

        Path savepoint =
                out.resolve(
                        String.format(
                                "savepoint-bootstrap-%08x", ThreadLocalRandom.current().nextInt()));
        HiddenStateWriter.write(
                rows, savepoint, GruInference.DEFAULT_UID, ReplaySavepoint.MAX_PARALLELISM);
        new ReplaySavepoint(
                        savepoint,
                        ReplaySavepoint.BOOTSTRAP,
                        0,
                        history.events().size(),
                        shape.fingerprint(),
                        hidden,
                        layers,
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
