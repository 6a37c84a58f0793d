package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.ModelShape;
import dev.flinkgru.state.FeatureHistory;
import dev.flinkgru.state.FingerprintMismatchPolicy;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.MismatchDecision;
import dev.flinkgru.state.ModelFingerprint;
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
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flink-gru state rewarm --savepoint IN --model NEW ... --out OUT [--history FILE]}: a model
 * rollout offline, as policy REWARM would do it online. Every key's state of another model than NEW
 * is rebuilt by running the key's last events through NEW from the zero state, with the operator's
 * own batch step: the events the savepoint keeps per key ({@code gru.state.history}), or the key's
 * events in a CSV. A key without events is reset to the zero state; a key whose events NEW refuses
 * keeps its state (and the job's policy deals with it). States of NEW are left as they are. OUT is
 * a copy of IN with only the GRU operator's keyed state replaced: the other operators' state (a
 * Kafka source's offsets) is kept, so a job starts from OUT as from IN.
 */
@Command(
        name = "rewarm",
        sortOptions = false,
        showDefaultValues = true,
        customSynopsis = {
            "flink-gru state rewarm --savepoint IN --model NEW.onnx|NEW.pt --hidden-size H --layers L",
            "    --out OUT [--history FILE] [--batch-size N] [--device cpu|gpu|gpu:N|auto]",
            "    [--backend auto|onnx|torchscript|reference] [--model-sha256 HEX] [--rejects FILE]"
        },
        description = {
            "Rebuilds a savepoint's states under a new model from each key's last events.",
            "Runs each key's last events (kept in the savepoint with gru.state.history, or from"
                    + " --history FILE) through the new model from the zero state, and writes a"
                    + " copy of the savepoint with those states into OUT, with the manifest that"
                    + " replay --resume OUT reads. Keys without events are reset; states of the"
                    + " new model are kept.",
            ""
        })
final class StateRewarm implements Callable<Integer>, ConfigFlags {

    @Option(
            names = "--savepoint",
            required = true,
            paramLabel = "IN",
            description =
                    "The savepoint to rewarm: a directory of replay --stop-after, state bootstrap"
                            + " or rewarm, or a Flink savepoint directory (with _metadata).")
    Path in;

    @Mixin ModelFlags model;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "OUT",
            description = "The savepoint directory to write.")
    Path out;

    @Option(
            names = "--history",
            paramLabel = "FILE",
            description =
                    "The keys' events as replay's IN.csv, run in file order per key, instead of"
                            + " the events the savepoint keeps.")
    Path historyFile;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "256",
            description = "Largest batch of a round.")
    int batchSize;

    @Option(
            names = "--rejects",
            paramLabel = "FILE",
            description = "Writes the refused rows of --history there as CSV: seq,reason,raw.")
    Path rejects;

    @Override
    public Map<String, String> flagsByKey() {
        return Map.of(GruOptions.BATCH_MAX_SIZE.key(), "--batch-size");
    }

    /** What happened to the keys. */
    private static final class Counts {
        int rewarmed;

        /** Keys without events (or with events of another F than the model's). */
        int reset;

        int refused;
        int current;
    }

    @Override
    public Integer call() {
        model.check();
        CliException.checkAtLeastOne("--batch-size", batchSize);
        if (rejects != null && historyFile == null) {
            throw CliException.usage("--rejects lists the refused rows of --history FILE");
        }
        long began = System.nanoTime();
        Progress progress = Progress.start("state rewarm");
        GruSavepoint savepoint = GruSavepoint.open(in, GruInference.DEFAULT_UID);
        long waiting = HiddenStateReader.countWaiting(savepoint).stream().mapToLong(n -> n).sum();
        if (waiting > 0) {
            // The rewarmed savepoint would lose them: refuse instead.
            throw CliException.failure(
                    in
                            + " holds "
                            + waiting
                            + " events waiting for the watermark (gru.order EVENT_TIME), which"
                            + " state rewarm does not carry over; take the savepoint once the"
                            + " watermark has passed them, or roll out online with"
                            + " gru.model.watch");
        }
        List<KeyedHiddenState> states = HiddenStateReader.readAll(savepoint);

        ReplayInput csv = null;
        Map<String, FeatureHistory> histories;
        int features;
        if (historyFile != null) {
            csv = ReplayInput.read(historyFile, 0, Long.MAX_VALUE, progress);
            features = csv.features();
            histories = byKey(csv.events());
        } else {
            histories = kept(states);
            if (histories.isEmpty() && !states.isEmpty()) {
                throw CliException.failure(
                        in
                                + " keeps no events per key (its job ran with "
                                + GruOptions.STATE_HISTORY.key()
                                + " 0): give the keys' events with --history FILE");
            }
            features = states.stream().mapToInt(k -> k.historyFeatures).max().orElse(1);
        }

        Counts counts = new Counts();
        ModelShape shape;
        try (BatchPredictor predictor = ModelFlags.open(model.predictor(), features, batchSize)) {
            shape = predictor.shape();
            rewarm(states, histories, predictor, counts);
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(
                    CliException.FAILURE,
                    "rewarming the states failed: " + ErrorPrinter.rootMessage(e),
                    e);
        }
        if (rejects != null) {
            RejectsFile.write(rejects, csv.rejected());
        }

        Path target =
                out.resolve(
                        String.format(
                                "savepoint-rewarm-%08x", ThreadLocalRandom.current().nextInt()));
        HiddenStateWriter.rewrite(states, savepoint.path(), target, savepoint.uid());
        ReplaySavepoint manifest = savepoint.manifest();
        new ReplaySavepoint(
                        target,
                        ReplaySavepoint.REWARM,
                        manifest == null ? 0 : manifest.skipRows(),
                        manifest == null ? 0 : manifest.events(),
                        shape.fingerprint(),
                        model.hiddenSize(),
                        model.layers(),
                        savepoint.parallelism(),
                        savepoint.maxParallelism(),
                        savepoint.uid())
                .write(out);
        System.err.printf(
                "state rewarm: %d keys under model %s: %d rewarmed from their last events (%s),"
                        + " %d reset (no events), %d refused by the model (state kept), %d already"
                        + " of it -> %s (%.2f s); start the job from %s, or replay --resume %s%n",
                states.size(),
                ModelFingerprint.toHex(shape.fingerprint()),
                counts.rewarmed,
                historyFile == null ? "kept in the savepoint" : historyFile.toString(),
                counts.reset,
                counts.refused,
                counts.current,
                target,
                (System.nanoTime() - began) / 1e9,
                target,
                out);
        return 0;
    }

    /**
     * Rebuilds, in place, each state of another model than {@code predictor}'s from its key's
     * events, in batches across keys.
     */
    private void rewarm(
            List<KeyedHiddenState> states,
            Map<String, FeatureHistory> histories,
            BatchPredictor predictor,
            Counts counts)
            throws Exception {
        ModelShape shape = predictor.shape();
        List<GruEvent> events = new ArrayList<>();
        Map<String, KeyedHiddenState> stale = new LinkedHashMap<>();
        for (KeyedHiddenState state : states) {
            // The operator's own decision under REWARM: a state of the model is kept; events of
            // another F than the model's cannot rebuild its state, nor can no events.
            MismatchDecision decision =
                    MismatchDecision.decide(
                            FingerprintMismatchPolicy.REWARM,
                            state.key,
                            state.toHiddenState(),
                            shape.fingerprint(),
                            shape.stateSize(),
                            shape.inputSize(),
                            () -> histories.get(state.key));
            switch (decision.outcome()) {
                case CURRENT:
                    counts.current++;
                    continue;
                case REWARM:
                    break;
                default:
                    state.values = decision.state().values();
                    state.steps = decision.state().steps();
                    state.modelFingerprint = shape.fingerprint();
                    counts.reset++;
                    continue;
            }
            stale.put(state.key, state);
            float[] packed = decision.rewarmFrom();
            int f = shape.inputSize();
            for (int from = 0; from < packed.length; from += f) {
                float[] x = Arrays.copyOfRange(packed, from, from + f);
                events.add(new GruEvent(state.key, state.lastEventTime, events.size(), x));
            }
        }
        HistoryRounds.Result result =
                HistoryRounds.run(
                        events,
                        predictor,
                        batchSize,
                        GruOptions.PREDICTOR_MAX_FAILED_ROWS.defaultValue());
        Set<String> refused = new HashSet<>();
        for (HistoryRounds.Refusal refusal : result.refused()) {
            refused.add(refusal.event().key);
        }
        for (KeyedHiddenState state : stale.values()) {
            if (refused.contains(state.key)) {
                counts.refused++;
                continue;
            }
            HiddenState rebuilt = result.states().get(state.key);
            state.values = rebuilt.values().clone();
            state.steps = rebuilt.steps();
            state.modelFingerprint = shape.fingerprint();
            counts.rewarmed++;
        }
    }

    /** The events of each key, in file order, all of them. */
    private static Map<String, FeatureHistory> byKey(List<GruEvent> events) {
        Map<String, List<float[]>> byKey = new LinkedHashMap<>();
        for (GruEvent e : events) {
            byKey.computeIfAbsent(e.key, k -> new ArrayList<>()).add(e.features);
        }
        Map<String, FeatureHistory> histories = new LinkedHashMap<>();
        byKey.forEach(
                (key, list) -> {
                    int f = list.get(0).length;
                    float[] packed = new float[list.size() * f];
                    for (int i = 0; i < list.size(); i++) {
                        System.arraycopy(list.get(i), 0, packed, i * f, f);
                    }
                    histories.put(key, new FeatureHistory(f, list.size(), packed, 0, list.size()));
                });
        return histories;
    }

    /** The events the savepoint keeps per key, oldest first. */
    private static Map<String, FeatureHistory> kept(List<KeyedHiddenState> states) {
        Map<String, FeatureHistory> byKey = new LinkedHashMap<>();
        for (KeyedHiddenState state : states) {
            if (state.history == null || state.history.length == 0) {
                continue;
            }
            // Already packed oldest first, F floats each (KeyedHiddenState#withHistory): a full
            // ring of as many events, read as it is.
            int n = state.history.length / state.historyFeatures;
            byKey.put(state.key, new FeatureHistory(state.historyFeatures, n, state.history, 0, n));
        }
        return byKey;
    }
}
