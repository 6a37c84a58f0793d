package dev.flinkgru.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code replay --stop-after N --savepoint-dir D}, then {@code replay --resume D}: real savepoints
 * of a real MiniCluster, restored at another parallelism; the two runs together must be one run of
 * torch over the whole sequences.
 */
class ReplaySavepointITCase {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    @TempDir Path tmp;

    /**
     * Stop with a savepoint and resume at another parallelism, synchronously (pipeline depth 1),
     * pipelined (depth 2) and through the shared device batcher (depth 3 and 2).
     */
    @ParameterizedTest(
            name = "parallelism {0} -> {1}, stop after {2} rows, pipeline depth {3}, shared {4}")
    @CsvSource({
        "2, 3, 300, 1, false",
        "3, 1, 517, 1, false",
        "2, 3, 300, 2, false",
        "3, 2, 517, 3, true"
    })
    void stopAndResumeAtAnotherParallelismEqualsOneRun(
            int first, int second, int stopAfter, int depth, boolean shared) throws IOException {
        String[] pipeline =
                shared
                        ? new String[] {
                            "--pipeline-depth", Integer.toString(depth), "--shared-device"
                        }
                        : new String[] {"--pipeline-depth", Integer.toString(depth)};
        Path savepoint = tmp.resolve("savepoint");
        Path out1 = tmp.resolve("out1.csv");
        Path out2 = tmp.resolve("out2.csv");
        CliRun run1 =
                replay(
                        out1,
                        concat(
                                pipeline,
                                "--parallelism",
                                Integer.toString(first),
                                "--stop-after",
                                Integer.toString(stopAfter),
                                "--savepoint-dir",
                                savepoint.toString()));
        assertThat(run1.exit).as("%s", run1).isZero();
        ReplaySavepoint manifest = ReplaySavepoint.load(savepoint);
        assertThat(manifest.origin()).isEqualTo("replay");
        assertThat(manifest.skipRows()).isEqualTo(stopAfter);
        assertThat(manifest.events()).isEqualTo(stopAfter);
        assertThat(manifest.parallelism()).isEqualTo(first);
        assertThat(manifest.maxParallelism()).isEqualTo(128);
        assertThat(manifest.operatorUid()).isEqualTo("gru-operator");
        assertThat(manifest.modelFingerprint()).isEqualTo(ModelFingerprint.of(TINY.model()));
        assertThat(manifest.savepoint()).startsWith(savepoint).isDirectory();

        CliRun run2 =
                replay(
                        out2,
                        concat(
                                pipeline,
                                "--parallelism",
                                Integer.toString(second),
                                "--resume",
                                savepoint.toString()));
        assertThat(run2.exit).as("%s", run2).isZero();
        assertThat(run2.stderr).contains("skipped the first " + stopAfter + " rows");

        // tiny's seq is its row index: run 1 holds rows [0, N), run 2 the rest.
        PredictionsCsv expected = PredictionsCsv.read(TINY.dir.resolve("expected.csv"));
        PredictionsCsv got1 = PredictionsCsv.read(out1);
        PredictionsCsv got2 = PredictionsCsv.read(out2);
        got1.assertMatches(expected, 0, stopAfter);
        got2.assertMatches(expected, stopAfter, Long.MAX_VALUE);
        PredictionsCsv union = got1.plus(got2);
        union.assertMatches(expected, 0, Long.MAX_VALUE);
        long missing =
                expected.rows.keySet().stream().filter(s -> !union.rows.containsKey(s)).count();
        System.out.printf(
                "stop/resume p%d->p%d: %d events, run 1 %d outputs (%.1f s), run 2 %d outputs"
                        + " (%.1f s), missing %d, duplicated %d%n",
                first,
                second,
                expected.rows.size(),
                got1.rows.size(),
                run1.seconds,
                got2.rows.size(),
                run2.seconds,
                missing,
                union.duplicated.size());
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    @Test
    void resumeOfADirectoryThatIsNoSavepointIsOneClearLine() throws IOException {
        Path notASavepoint = Files.createDirectories(tmp.resolve("nothing-here"));
        Files.writeString(notASavepoint.resolve("notes.txt"), "hello\n");
        CliRun run = replay(tmp.resolve("out.csv"), "--resume", notASavepoint.toString());
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr)
                .contains("cannot resume")
                .contains("nothing-here is not a flink-gru savepoint directory")
                .contains("flink-gru-savepoint.properties");

        run = replay(tmp.resolve("out.csv"), "--resume", tmp.resolve("missing").toString());
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr).contains("missing is not a directory");
    }

    @Test
    void resumeWithOtherSizesOrAnotherModelIsOneClearLine() throws IOException {
        Path savepoint = Savepoints.copyCheckedIn(1, tmp.resolve("v1"));

        CliRun run =
                CliRun.of(
                        "replay",
                        "--model",
                        TINY.model().toString(),
                        "--hidden-size",
                        "16",
                        "--layers",
                        "2",
                        "--events",
                        TINY.dir.resolve("events.csv").toString(),
                        "--out",
                        tmp.resolve("out.csv").toString(),
                        "--resume",
                        savepoint.toString());
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr)
                .contains("holds states of H=8, L=2 (16 values per key)")
                .contains("--hidden-size 16 --layers 2 means 32");

        Path manifest = savepoint.resolve(ReplaySavepoint.FILE_NAME);
        Files.writeString(
                manifest,
                Files.readString(manifest).replaceAll("model=\\w+", "model=00000000000000ff"));
        run = replay(tmp.resolve("out.csv"), "--resume", savepoint.toString());
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr.strip().lines()).hasSize(1);
        assertThat(run.stderr)
                .contains("holds states of model 00000000000000ff")
                .contains("is " + ModelFingerprint.toHex(ModelFingerprint.of(TINY.model())));
    }

    @Test
    void stopAfterNeedsASavepointDirectory() {
        CliRun run = replay(tmp.resolve("out.csv"), "--stop-after", "10");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.stderr).contains("--stop-after N and --savepoint-dir D go together");
    }

    private static CliRun replay(Path out, String... extra) {
        return CliRun.replay(TINY, TINY.model(), out, 16, extra);
    }
}
