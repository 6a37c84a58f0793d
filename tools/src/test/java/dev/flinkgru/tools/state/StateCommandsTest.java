package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The flags of {@code flink-gru state export|inspect|bootstrap}; the runs are ITCases. */
class StateCommandsTest {

    @Test
    void exportTakesTheSavepointTheFileAndOptionallyTheSizes() {
        StateExport export =
                CommandRun.parse(new StateExport(), "--savepoint", "sp", "--out", "s.csv");
        assertThat(export.dir).isEqualTo(Path.of("sp"));
        assertThat(export.out).isEqualTo(Path.of("s.csv"));
        assertThat(export.hidden).isNull();
        assertThat(export.layers).isNull();
        export =
                CommandRun.parse(
                        new StateExport(),
                        "--savepoint",
                        "sp",
                        "--out",
                        "s.csv",
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2");
        assertThat(export.hidden).isEqualTo(8);
        assertThat(export.layers).isEqualTo(2);
    }

    @Test
    void exportsBadFlagsAreUsageErrors() {
        assertUsage(new StateExport(), List.of("--savepoint", "sp"), "--out is required");
        assertUsage(
                new StateExport(),
                List.of("--savepoint", "sp", "--out", "s.csv", "--layers", "2"),
                "--hidden-size H and --layers L go together");
        assertUsage(
                new StateExport(),
                List.of("--savepoint", "sp", "--out", "s.csv", "--hidden-size", "eight"),
                "--hidden-size must be an integer, was 'eight'");
    }

    @Test
    void inspectTakesTheSavepoint() {
        assertThat(CommandRun.parse(new StateInspect(), "--savepoint=sp").dir)
                .isEqualTo(Path.of("sp"));
        assertUsage(new StateInspect(), List.of(), "--savepoint is required");
        assertUsage(
                new StateInspect(),
                List.of("--savepoint", "sp", "--out", "x"),
                "unknown option --out");
    }

    @Test
    void bootstrapTakesTheModelFlagsAndHasReplaysBatchSize() {
        StateBootstrap bootstrap =
                CommandRun.parse(
                        new StateBootstrap(),
                        "--events",
                        "h.csv",
                        "--model",
                        "m.pt",
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--savepoint-out",
                        "d");
        assertThat(bootstrap.events).isEqualTo(Path.of("h.csv"));
        assertThat(bootstrap.model.model()).isEqualTo("m.pt");
        assertThat(bootstrap.model.device()).isEqualTo("cpu");
        assertThat(bootstrap.out).isEqualTo(Path.of("d"));
        assertThat(bootstrap.batchSize).isEqualTo(256);
        assertThat(bootstrap.rejects).isNull();
        assertUsage(
                new StateBootstrap(),
                List.of(
                        "--events",
                        "h.csv",
                        "--model",
                        "m.pt",
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2",
                        "--savepoint-out",
                        "d",
                        "--batch-size",
                        "0"),
                "--batch-size must be at least 1, was 0");
        assertUsage(
                new StateBootstrap(),
                List.of(
                        "--events",
                        "h.csv",
                        "--model",
                        "m.pt",
                        "--hidden-size",
                        "8",
                        "--layers",
                        "2"),
                "--savepoint-out is required");
    }

    @Test
    void stateAloneShowsItsUsageAndExitsTwo() {
        CommandRun run = CommandRun.of(new StateCommand());
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.out())
                .contains("export")
                .contains("inspect")
                .contains("bootstrap")
                .contains("rewarm");
        CommandRun unknown = CommandRun.of(new StateCommand(), "import");
        assertThat(unknown.exit()).isEqualTo(CliException.USAGE);
        assertThat(unknown.error())
                .isEqualTo(
                        "flink-gru state: unknown command 'import'; expected export, inspect,"
                                + " bootstrap, rewarm, help");
        assertThat(CommandRun.of(new StateCommand(), "help", "export").out())
                .startsWith("Usage: flink-gru state export --savepoint D --out states.csv");
    }

    private static void assertUsage(Object command, List<String> args, String message) {
        CommandRun run = CommandRun.of(command, args.toArray(String[]::new));
        assertThat(run.exit()).as("exit of %s", args).isEqualTo(CliException.USAGE);
        assertThat(run.error()).endsWith(": " + message);
    }
}
