package dev.flinkgru.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code flink-gru replay}'s flags; the runs themselves are in {@link ReplayCommandITCase}. */
class ReplayCommandTest {

    private static final String[] REQUIRED = {
        "--model",
        "m.pt",
        "--hidden-size",
        "8",
        "--layers",
        "2",
        "--events",
        "in.csv",
        "--out",
        "out.csv"
    };

    private static String[] with(String... extra) {
        List<String> args = new ArrayList<>(List.of(REQUIRED));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void theDefaultsAreThoseOfTheReadme() {
        ReplayCommand replay = CommandRun.parse(new ReplayCommand(), REQUIRED);
        assertThat(replay.model.model()).isEqualTo("m.pt");
        assertThat(replay.model.hiddenSize()).isEqualTo(8);
        assertThat(replay.model.layers()).isEqualTo(2);
        assertThat(replay.model.device()).isEqualTo("cpu");
        assertThat(replay.model.backend()).isEqualTo("auto");
        assertThat(replay.events).isEqualTo(Path.of("in.csv"));
        assertThat(replay.out).isEqualTo(Path.of("out.csv"));
        assertThat(replay.batchSize).isEqualTo(256);
        assertThat(replay.maxDelayMs).isEqualTo(10);
        assertThat(replay.parallelism).isEqualTo(1);
        assertThat(replay.rejects).isNull();
        assertThat(replay.stopAfter).isNull();
        assertThat(replay.savepointDir).isNull();
        assertThat(replay.resumeDir).isNull();
        assertThat(replay.stateTtl).isNull();
        assertThat(replay.model.modelSha256()).isNull();
    }

    @Test
    void everyFlagIsTaken() {
        ReplayCommand replay =
                CommandRun.parse(
                        new ReplayCommand(),
                        with(
                                "--batch-size",
                                "16",
                                "--max-delay-ms",
                                "5",
                                "--parallelism",
                                "2",
                                "--device",
                                "gpu:0",
                                "--backend",
                                "reference",
                                "--rejects",
                                "bad.csv",
                                "--stop-after",
                                "400",
                                "--savepoint-dir",
                                "sp",
                                "--resume=old",
                                "--state-ttl",
                                "30m",
                                "--model-sha256",
                                "ab".repeat(32)));
        assertThat(replay.batchSize).isEqualTo(16);
        assertThat(replay.maxDelayMs).isEqualTo(5);
        assertThat(replay.parallelism).isEqualTo(2);
        assertThat(replay.model.device()).isEqualTo("gpu:0");
        assertThat(replay.model.backend()).isEqualTo("reference");
        assertThat(replay.rejects).isEqualTo(Path.of("bad.csv"));
        assertThat(replay.stopAfter).isEqualTo(400L);
        assertThat(replay.savepointDir).isEqualTo(Path.of("sp"));
        assertThat(replay.resumeDir).isEqualTo(Path.of("old"));
        assertThat(replay.stateTtl).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(replay.model.modelSha256()).isEqualTo("ab".repeat(32));
    }

    @Test
    void badValuesAreUsageErrorsNamingTheFlag() {
        assertUsage(with("--batch-size", "many"), "--batch-size must be an integer, was 'many'");
        assertUsage(
                with("--max-delay-ms", "10ms"), "--max-delay-ms must be an integer, was '10ms'");
        assertUsage(with("--parallelism", "0"), "--parallelism must be at least 1, was 0");
        assertUsage(with("--batch-size", "0"), "--batch-size must be at least 1, was 0");
        assertUsage(with("--max-delay-ms", "0"), "--max-delay-ms must be at least 1, was 0");
        assertUsage(with("--hidden-size", "0"), "--hidden-size must be at least 1, was 0");
        assertUsage(with("--layers", "x"), "--layers must be an integer, was 'x'");
        assertUsage(with("--stop-after", "10"), "--stop-after N and --savepoint-dir D go together");
        assertUsage(
                with("--savepoint-dir", "sp"), "--stop-after N and --savepoint-dir D go together");
        assertUsage(
                with("--stop-after", "0", "--savepoint-dir", "sp"),
                "--stop-after must be at least 1, was 0");
        assertUsage(
                with("--modle", "x"),
                "unknown option --modle (did you mean --model or --model-sha256?)");
        assertUsage(
                new String[] {"--model", "m.pt"},
                "--hidden-size, --layers, --events and --out are required");
        assertUsage(with("--out"), "--out needs a value");
        assertUsage(
                with("--state-ttl", "soon"),
                "--state-ttl must be a duration like 250ms, 60s or 5m, was 'soon'");
        assertUsage(with("--state-ttl", "0s"), "--state-ttl must be longer than 0 ms, was 0 ms");
    }

    @Test
    void helpShowsTheFlagsAndTheirDefaults() {
        CommandRun run = CommandRun.of(new ReplayCommand(), "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .startsWith(
                        "Usage: flink-gru replay --model M.onnx|M.pt --hidden-size H --layers L")
                .contains("--batch-size=N")
                .contains("Default: 256")
                .contains("Default: cpu")
                .contains("Default: auto")
                .contains("--stop-after=N")
                .contains("--state-ttl=DURATION")
                .contains("--model-sha256=HEX")
                .contains("--resume=D");
    }

    private static void assertUsage(String[] args, String message) {
        CommandRun run = CommandRun.of(new ReplayCommand(), args);
        assertThat(run.exit()).as("exit of %s", List.of(args)).isEqualTo(CliException.USAGE);
        assertThat(run.error()).isEqualTo("flink-gru replay: " + message);
    }
}
