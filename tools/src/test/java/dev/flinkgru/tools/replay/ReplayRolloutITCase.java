package dev.flinkgru.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.TorchFixture;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A rollout through the command line: {@code replay} under model A stops with a savepoint at the
 * rollout set's split, keeping each key's last events ({@code --history}); {@code replay --resume}
 * under model B with {@code --state-policy} goes on. Both runs together must equal torch: A up to
 * the split, then B from the state the policy makes ({@code expected-<policy>.csv}).
 */
class ReplayRolloutITCase {

    private static final TorchFixture SET = TorchFixture.load("rollout");

    @TempDir Path tmp;

    @ParameterizedTest(name = "{0}, {1} -> {2}, parallelism {3} -> {4}")
    @CsvSource({
        "RESET, model-a.pt, model-b.pt, 2, 1",
        "KEEP, model-a.pt, model-b.pt, 1, 3",
        "REWARM, model-a.pt, model-b.pt, 3, 2",
        "KEEP, model-a.onnx, model-b.onnx, 2, 2",
        "REWARM, model-a.onnx, model-b.onnx, 1, 2"
    })
    void aResumeUnderAnotherModelAppliesThePolicyToEveryKey(
            String policy, String modelA, String modelB, int first, int second) {
        rollOut(policy, modelA, modelB, first, second);
    }

    /**
     * The same through the shared device batcher, parallelism 3 and pipeline depth 2 in both runs:
     * the rows {@code REWARM} rebuilds run their history through the batcher too.
     */
    @ParameterizedTest(name = "{0}, --shared-device --pipeline-depth 2")
    @CsvSource({"REWARM", "KEEP", "RESET"})
    void withTheSharedDeviceEveryPolicyEqualsTorch(String policy) {
        rollOut(
                policy,
                "model-a.pt",
                "model-b.pt",
                3,
                3,
                "--shared-device",
                "--pipeline-depth",
                "2");
    }

    private void rollOut(
            String policy, String modelA, String modelB, int first, int second, String... flags) {
        int split = SET.intProperty("split");
        String history = Integer.toString(SET.intProperty("history"));
        Path savepoint = tmp.resolve("savepoint");
        Path out1 = tmp.resolve("out1.csv");
        Path out2 = tmp.resolve("out2.csv");

        CliRun run1 =
                replay(
                        modelA,
                        out1,
                        new String[] {
                            "--history",
                            history,
                            "--parallelism",
                            Integer.toString(first),
                            "--stop-after",
                            Integer.toString(split),
                            "--savepoint-dir",
                            savepoint.toString()
                        },
                        flags);
        assertThat(run1.exit).as("%s", run1).isZero();
        CliRun run2 =
                replay(
                        modelB,
                        out2,
                        new String[] {
                            "--history",
                            history,
                            "--state-policy",
                            policy,
                            "--parallelism",
                            Integer.toString(second),
                            "--resume",
                            savepoint.toString()
                        },
                        flags);
        assertThat(run2.exit).as("%s", run2).isZero();

        // The set's seq is its row index: run 1 holds rows [0, split), run 2 the rest.
        PredictionsCsv expected =
                PredictionsCsv.read(
                        SET.dir.resolve("expected-" + policy.toLowerCase(Locale.ROOT) + ".csv"));
        PredictionsCsv got1 = PredictionsCsv.read(out1);
        PredictionsCsv got2 = PredictionsCsv.read(out2);
        got1.assertMatches(expected, 0, split);
        got2.assertMatches(expected, split, Long.MAX_VALUE);
        assertThat(got1.rows).hasSize(split);
        assertThat(got1.plus(got2).rows).hasSize(expected.rows.size());
    }

    @Test
    void withoutAPolicyStatesOfAnotherModelAreRefusedBeforeTheRun() {
        Path savepoint = tmp.resolve("savepoint");
        CliRun run1 =
                replay(
                        "model-a.pt",
                        tmp.resolve("out1.csv"),
                        "--stop-after",
                        "100",
                        "--savepoint-dir",
                        savepoint.toString());
        assertThat(run1.exit).as("%s", run1).isZero();
        CliRun run2 =
                replay("model-b.pt", tmp.resolve("out2.csv"), "--resume", savepoint.toString());
        assertThat(run2.exit).as("%s", run2).isEqualTo(1);
        assertThat(run2.stderr)
                .contains("cannot resume: ")
                .contains("resume with the model that computed them");
    }

    @Test
    void rewarmNeedsTheEventsKeptPerKey() {
        CliRun run =
                replay(
                        "model-b.pt",
                        tmp.resolve("out.csv"),
                        "--state-policy",
                        "REWARM",
                        "--resume",
                        tmp.toString());
        assertThat(run.exit).as("%s", run).isEqualTo(2);
        assertThat(run.stderr).contains("--state-policy REWARM").contains("give --history N");
    }

    private static CliRun replay(String model, Path out, String... extra) {
        return CliRun.replay(SET, SET.dir.resolve(model), out, 16, extra);
    }

    private static CliRun replay(String model, Path out, String[] base, String[] more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return replay(model, out, all);
    }
}
