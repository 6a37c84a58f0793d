package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.tools.io.ReplaySavepoint;
import dev.flinkgru.tools.replay.CliRun;
import dev.flinkgru.tools.replay.PredictionsCsv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flink-gru state export|inspect|bootstrap} on real savepoints of real MiniCluster runs,
 * against torch's final states and outputs of the fixture {@code tiny}.
 */
class StateToolsITCase {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    /** A savepoint of {@code replay --stop-after <all events>}, taken at parallelism 2. */
    @TempDir static Path shared;

    private static Path all;

    @TempDir Path tmp;

    @BeforeAll
    static void replayAllEventsIntoASavepoint() {
        all = shared.resolve("all");
        CliRun run =
                CliRun.of(
                        "replay",
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--events",
                        TINY.dir.resolve("events.csv").toString(),
                        "--out",
                        shared.resolve("all.csv").toString(),
                        "--parallelism",
                        "2",
                        "--batch-size",
                        "16",
                        "--stop-after",
                        "746",
                        "--savepoint-dir",
                        all.toString());
        assertThat(run.exit).as("%s", run).isZero();
    }

    @Test
    void exportGivesTorchsFinalStatesFromEitherDirectory() throws IOException {
        StatesCsv torch = StatesCsv.read(TINY.dir.resolve("final_states.csv"));

        Path fromManifestDir = tmp.resolve("states.csv");
        CliRun run =
                state("export", "--savepoint", all.toString(), "--out", fromManifestDir.toString());
        assertThat(run.exit).as("%s", run).isZero();
        StatesCsv exported = StatesCsv.read(fromManifestDir);
        assertThat(exported.header).startsWith("key,steps,h0,h1,").endsWith(",h15");
        exported.assertMatches(torch);
        assertThat(run.stderr).contains("60 keys, 16 values each");

        // The Flink savepoint directory itself, as the Kafka jobs leave it, exports the same.
        Path flinkDir = ReplaySavepoint.load(all).savepoint();
        Path fromFlinkDir = tmp.resolve("states2.csv");
        run = state("export", "--savepoint", flinkDir.toString(), "--out", fromFlinkDir.toString());
        assertThat(run.exit).as("%s", run).isZero();
        assertThat(Files.readString(fromFlinkDir)).isEqualTo(Files.readString(fromManifestDir));
        System.out.printf(
                "export: %d keys, steps %d in all, matching torch (%.1f s)%n",
                exported.steps.size(),
                exported.steps.values().stream().mapToLong(Long::longValue).sum(),
                run.seconds);
    }

    @Test
    void statesWrittenWithATtlExportAndInspectAsTheOthers() throws IOException {
        // The operator with gru.state.ttl keeps its states in Flink's TTL wrapper (the value and
        // the time of its last write); the tools read either.
        Path ttl = tmp.resolve("ttl");
        CliRun replay =
                CliRun.of(
                        "replay",
                        "--model",
                        TINY.onnxModel().toString(),
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--events",
                        TINY.dir.resolve("events.csv").toString(),
                        "--out",
                        tmp.resolve("ttl.csv").toString(),
                        "--parallelism",
                        "2",
                        "--batch-size",
                        "16",
                        "--state-ttl",
                        "2h",
                        "--stop-after",
                        "746",
                        "--savepoint-dir",
                        ttl.toString());
        assertThat(replay.exit).as("%s", replay).isZero();
        PredictionsCsv.read(tmp.resolve("ttl.csv"))
                .assertMatches(PredictionsCsv.read(TINY.dir.resolve("expected.csv")), 0, 746);

        Path states = tmp.resolve("ttl-states.csv");
        CliRun export = state("export", "--savepoint", ttl.toString(), "--out", states.toString());
        assertThat(export.exit).as("%s", export).isZero();
        StatesCsv exported = StatesCsv.read(states);
        assertThat(exported.header).startsWith("key,steps,h0,h1,").endsWith(",h15");
        exported.assertMatches(StatesCsv.read(TINY.dir.resolve("final_states.csv")));

        CliRun inspect = state("inspect", "--savepoint", ttl.toString());
        assertThat(inspect.exit).as("%s", inspect).isZero();
        assertThat(inspect.stdout.lines())
                .contains(
                        "written-by: replay (skip-rows 746, events 746, H=8, L=2)",
                        "keys: 60",
                        "state-size: 16 values (60 keys)",
                        "model: "
                                + ModelFingerprint.toHex(ModelFingerprint.of(TINY.onnxModel()))
                                + " (60 keys)")
                .anyMatch(line -> line.startsWith("steps: min=") && line.endsWith(" total=746"));

        // A TTL shorter than any gap between a write and the savepoint: every state had expired
        // when the savepoint was taken, so none is in it, and the tools show none.
        Path expired = tmp.resolve("expired");
        replay =
                CliRun.of(
                        "replay",
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--events",
                        TINY.dir.resolve("events.csv").toString(),
                        "--out",
                        tmp.resolve("expired.csv").toString(),
                        "--state-ttl",
                        "1ms",
                        "--stop-after",
                        "746",
                        "--savepoint-dir",
                        expired.toString());
        assertThat(replay.exit).as("%s", replay).isZero();
        Path none = tmp.resolve("none.csv");
        export = state("export", "--savepoint", expired.toString(), "--out", none.toString());
        assertThat(export.exit).as("%s", export).isZero();
        assertThat(Files.readAllLines(none)).containsExactly(exported.header);
        inspect = state("inspect", "--savepoint", expired.toString());
        assertThat(inspect.stdout.lines()).contains("keys: 0", "steps: none");
        System.out.printf(
                "ttl: %d keys exported from a savepoint of states with a TTL, none after 1 ms"
                        + " (%.1f s)%n",
                exported.steps.size(), export.seconds);
    }

    @Test
    void inspectPrintsTheNumbers() throws IOException {
        CliRun run = state("inspect", "--savepoint", all.toString());
        assertThat(run.exit).as("%s", run).isZero();

        long[] steps =
                StatesCsv.read(TINY.dir.resolve("final_states.csv")).steps.values().stream()
                        .mapToLong(Long::longValue)
                        .sorted()
                        .toArray();
        Path savepoint = ReplaySavepoint.load(all).savepoint();
        long bytes;
        try (Stream<Path> files = Files.walk(savepoint)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(StateToolsITCase::size).sum();
        }
        assertThat(steps).hasSize(60);
        assertThat(Arrays.stream(steps).sum()).isEqualTo(746);
        // Nearest rank: p50 is the 30th of 60 sorted counts, p90 the 54th.
        String distribution =
                String.format(
                        "steps: min=%d p50=%d p90=%d max=%d total=746",
                        steps[0], steps[29], steps[53], steps[59]);
        assertThat(run.stdout.lines())
                .containsExactly(
                        "savepoint: " + savepoint.toAbsolutePath(),
                        "bytes: " + bytes,
                        "written-by: replay (skip-rows 746, events 746, H=8, L=2)",
                        "operator: gru-operator (parallelism 2, max parallelism 128)",
                        "keys: 60",
                        "state-size: 16 values (60 keys)",
                        "model: "
                                + ModelFingerprint.toHex(ModelFingerprint.of(TINY.model()))
                                + " (60 keys)",
                        distribution);
        System.out.printf("inspect: %s (%.1f s)%n", distribution, run.seconds);
    }

    @Test
    void bootstrapThenStreamingTheRestEqualsStreamingItAll() throws IOException {
        // History: tiny's first 400 rows; the rest: the other 346, a file of its own.
        List<String> events = Files.readAllLines(TINY.dir.resolve("events.csv"));
        Path history = tmp.resolve("history.csv");
        Path rest = tmp.resolve("rest.csv");
        Files.write(history, events.subList(0, 401));
        List<String> restLines = new ArrayList<>();
        restLines.add(events.get(0));
        restLines.addAll(events.subList(401, events.size()));
        Files.write(rest, restLines);
        Path boot = tmp.resolve("boot");

        CliRun run =
                state(
                        "bootstrap",
                        "--events",
                        history.toString(),
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--batch-size",
                        "16",
                        "--savepoint-out",
                        boot.toString());
        assertThat(run.exit).as("%s", run).isZero();
        ReplaySavepoint manifest = ReplaySavepoint.load(boot);
        assertThat(manifest.origin()).isEqualTo("bootstrap");
        assertThat(manifest.skipRows()).isZero();
        assertThat(manifest.events()).isEqualTo(400);
        assertThat(manifest.maxParallelism()).isEqualTo(128);

        Path out = tmp.resolve("out.csv");
        CliRun resumed =
                CliRun.of(
                        "replay",
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--events",
                        rest.toString(),
                        "--out",
                        out.toString(),
                        "--parallelism",
                        "3",
                        "--resume",
                        boot.toString());
        assertThat(resumed.exit).as("%s", resumed).isZero();
        PredictionsCsv got = PredictionsCsv.read(out);
        got.assertMatches(PredictionsCsv.read(TINY.dir.resolve("expected.csv")), 400, 746);
        System.out.printf(
                "bootstrap: 400 history events (%.1f s), then %d outputs of the rest (%.1f s)"
                        + " matching torch over the whole sequences%n",
                run.seconds, got.rows.size(), resumed.seconds);
    }

    @Test
    void aDirectoryThatIsNoSavepointIsOneClearLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("not-a-savepoint"));
        for (String command : List.of("export", "inspect")) {
            List<String> args = new ArrayList<>(List.of(command, "--savepoint", dir.toString()));
            if (command.equals("export")) {
                args.addAll(List.of("--out", tmp.resolve("x.csv").toString()));
            }
            CliRun run = state(args.toArray(String[]::new));
            assertThat(run.exit).isEqualTo(1);
            assertThat(run.stderr.strip().lines()).hasSize(1);
            assertThat(run.stderr)
                    .contains("not-a-savepoint is not a savepoint")
                    .contains("neither flink-gru-savepoint.properties nor a Flink _metadata");
        }
    }

    @Test
    void aSavepointWithoutTheOperatorsUidIsOneClearLine() {
        Path other = tmp.resolve("other");
        HiddenStateWriter.write(
                List.of(new KeyedHiddenState("k", HiddenState.zero(16, 7L))),
                other,
                "some-other-operator",
                128);
        CliRun run = state("inspect", "--savepoint", other.toString());
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr)
                .contains("holds no state of operator uid 'gru-operator'")
                .contains("1 other operators");
    }

    @Test
    void sizesThatDoNotMatchTheStatesAreOneClearLine() throws IOException {
        CliRun run =
                state(
                        "export",
                        "--savepoint",
                        all.toString(),
                        "--out",
                        tmp.resolve("x.csv").toString(),
                        "--hidden-size",
                        "32",
                        "--layers",
                        "2");
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr)
                .contains("hold 16 values per key, but --hidden-size 32 --layers 2 means 64");

        Path history = tmp.resolve("history.csv");
        Files.writeString(history, "key,x0,x1,x2\na,1,2,3\n");
        run =
                state(
                        "bootstrap",
                        "--events",
                        history.toString(),
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        "32",
                        "--layers",
                        "2",
                        "--savepoint-out",
                        tmp.resolve("boot").toString());
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr).contains("--hidden-size is 32").contains("H=8");
        assertThat(tmp.resolve("boot")).doesNotExist();
    }

    private static CliRun state(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "state";
        System.arraycopy(args, 0, full, 1, args.length);
        return CliRun.of(full);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
