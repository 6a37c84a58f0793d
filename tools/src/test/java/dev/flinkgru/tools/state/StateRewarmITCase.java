package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.tools.io.ReplaySavepoint;
import dev.flinkgru.tools.replay.CliRun;
import dev.flinkgru.tools.replay.PredictionsCsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state rewarm}, a model rollout offline: replay under model A stops with a savepoint at the
 * rollout set's split; {@code state rewarm} rebuilds its states under model B, from the events the
 * savepoint keeps per key or from a CSV of them; replay resumes under B from the result. The
 * outputs after the split must equal torch's B from the REWARM state ({@code expected-rewarm.csv}).
 */
class StateRewarmITCase {

    private static final TorchFixture SET = TorchFixture.load("rollout");
    private static final int SPLIT = SET.intProperty("split");
    private static final int HISTORY = SET.intProperty("history");

    @TempDir Path tmp;

    @Test
    void theEventsKeptInTheSavepointRebuildEveryStateUnderTheNewModel() throws Exception {
        Path before = stopAtTheSplit("--history", Integer.toString(HISTORY));
        Path after = tmp.resolve("rewarmed");
        CliRun rewarm = rewarm(before, after);
        assertThat(rewarm.exit).as("%s", rewarm).isZero();
        int keys = keysBeforeTheSplit().size();
        assertThat(rewarm.stderr)
                .contains(
                        keys
                                + " keys under model "
                                + hex("model-b.pt")
                                + ": "
                                + keys
                                + " rewarmed from their last events (kept in the savepoint), 0"
                                + " reset (no events), 0 refused by the model (state kept), 0"
                                + " already of it");

        ReplaySavepoint manifest = ReplaySavepoint.load(after);
        assertThat(manifest.origin()).isEqualTo("rewarm");
        assertThat(manifest.skipRows()).isEqualTo(SPLIT);
        assertThat(manifest.modelFingerprint())
                .isEqualTo(ModelFingerprint.of(SET.dir.resolve("model-b.pt")));
        assertThat(operatorsOf(manifest.savepoint()))
                .isEqualTo(operatorsOf(ReplaySavepoint.load(before).savepoint()));

        CliRun inspect = CliRun.of("state", "inspect", "--savepoint", after.toString());
        assertThat(inspect.stdout).contains("model: " + hex("model-b.pt") + " (" + keys + " keys)");
        assertThat(inspect.stdout)
                .contains("history: " + keys + " keys keep their last events (up to " + HISTORY);

        assertResumedOutputsAreTheRewarmedOnes(after);
    }

    @Test
    void aCsvOfTheKeysLastEventsDoesTheSameForASavepointWithoutThem() throws Exception {
        Path before = stopAtTheSplit();
        CliRun refused = rewarm(before, tmp.resolve("refused"));
        assertThat(refused.exit).as("%s", refused).isEqualTo(1);
        assertThat(refused.stderr)
                .contains("keeps no events per key (its job ran with gru.state.history 0)")
                .contains("--history FILE");

        Path csv = tmp.resolve("last-events.csv");
        Files.write(csv, lastEventsBeforeTheSplit(), StandardCharsets.UTF_8);
        Path after = tmp.resolve("rewarmed");
        CliRun rewarm = rewarm(before, after, "--history", csv.toString());
        assertThat(rewarm.exit).as("%s", rewarm).isZero();
        assertThat(rewarm.stderr).contains(" rewarmed from their last events (" + csv + ")");
        assertResumedOutputsAreTheRewarmedOnes(after);
    }

    private void assertResumedOutputsAreTheRewarmedOnes(Path rewarmed) {
        Path out = tmp.resolve("after.csv");
        CliRun resume =
                replay("model-b.pt", out, "--parallelism", "3", "--resume", rewarmed.toString());
        assertThat(resume.exit).as("%s", resume).isZero();
        PredictionsCsv got = PredictionsCsv.read(out);
        got.assertMatches(
                PredictionsCsv.read(SET.dir.resolve("expected-rewarm.csv")), SPLIT, Long.MAX_VALUE);
        assertThat(got.rows).hasSize(SET.events().size() - SPLIT);
    }

    /** Replay of the rows before the split under model A, stopped with a savepoint. */
    private Path stopAtTheSplit(String... extra) {
        Path dir = tmp.resolve("before");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--parallelism",
                                "2",
                                "--stop-after",
                                Integer.toString(SPLIT),
                                "--savepoint-dir",
                                dir.toString()));
        args.addAll(List.of(extra));
        CliRun run = replay("model-a.pt", tmp.resolve("before.csv"), args.toArray(String[]::new));
        assertThat(run.exit).as("%s", run).isZero();
        return dir;
    }

    private static CliRun rewarm(Path in, Path out, String... extra) {
        String[] base = {
            "state",
            "rewarm",
            "--savepoint",
            in.toString(),
            "--model",
            SET.dir.resolve("model-b.pt").toString(),
            "--hidden-size",
            Integer.toString(SET.hidden),
            "--layers",
            Integer.toString(SET.layers),
            "--out",
            out.toString(),
            "--batch-size",
            "8"
        };
        return CliRun.of(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
    }

    private static CliRun replay(String model, Path out, String... extra) {
        return CliRun.replay(SET, SET.dir.resolve(model), out, 16, extra);
    }

    private static String hex(String model) throws IOException {
        return ModelFingerprint.toHex(ModelFingerprint.of(SET.dir.resolve(model)));
    }

    /** The data rows of events.csv before the split (the set's seq is its row index). */
    private static List<String> rowsBeforeTheSplit() throws IOException {
        List<String> lines =
                Files.readAllLines(SET.dir.resolve("events.csv"), StandardCharsets.UTF_8);
        return lines.subList(1, SPLIT + 1);
    }

    private static Set<String> keysBeforeTheSplit() throws IOException {
        return rowsBeforeTheSplit().stream()
                .map(row -> row.split(",", -1)[1])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** A CSV of each key's last {@code HISTORY} rows before the split, in file order. */
    private static List<String> lastEventsBeforeTheSplit() throws IOException {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (String row : rowsBeforeTheSplit()) {
            List<String> rows =
                    byKey.computeIfAbsent(row.split(",", -1)[1], k -> new ArrayList<>());
            rows.add(row);
            if (rows.size() > HISTORY) {
                rows.remove(0);
            }
        }
        List<String> csv = new ArrayList<>();
        csv.add(Files.readAllLines(SET.dir.resolve("events.csv"), StandardCharsets.UTF_8).get(0));
        byKey.values().forEach(csv::addAll);
        return csv;
    }

    private static Set<String> operatorsOf(Path savepoint) throws IOException {
        return SavepointLoader.loadSavepointMetadata(savepoint.toUri().toString())
                .getOperatorStates()
                .stream()
                .map(OperatorState::getOperatorID)
                .map(Object::toString)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
