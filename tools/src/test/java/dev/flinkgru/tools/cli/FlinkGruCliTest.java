package dev.flinkgru.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/** The root of {@code flink-gru}: usage, help, dispatch, and {@code job}'s pass-through. */
class FlinkGruCliTest {

    @TempDir Path tmp;

    private static CommandRun cli(String... args) {
        return CommandRun.of(FlinkGruCli::commandLine, args);
    }

    @Test
    void noArgumentsPrintTheUsageAndExitTwo() {
        CommandRun run = cli();
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.out())
                .startsWith("Usage: flink-gru [-h] [COMMAND]")
                .contains("demo", "bench", "replay", "state", "job", "kafka", "help");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void helpAndDashDashHelpExitZero() {
        CommandRun help = cli("help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).isEqualTo(cli().out());
        assertThat(cli("--help").exit()).isZero();
        assertThat(cli("-h").out()).isEqualTo(help.out());
        CommandRun replay = cli("help", "replay");
        assertThat(replay.exit()).isZero();
        assertThat(replay.out()).startsWith("Usage: flink-gru replay --model M.onnx|M.pt");
        assertThat(cli("state", "bootstrap", "--help").out())
                .startsWith("Usage: flink-gru state bootstrap --events history.csv");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        CommandRun run = cli("replya");
        assertThat(run.exit()).isEqualTo(CliException.USAGE);
        assertThat(run.error())
                .isEqualTo(
                        "flink-gru: unknown command 'replya'; expected demo, bench, replay, state,"
                                + " job, kafka, help");
    }

    @Test
    void errorsNameTheWholeCommand() {
        assertThat(cli("state", "export", "--out", "x").error())
                .isEqualTo("flink-gru state export: --savepoint is required");
        CommandRun status = cli("kafka", "status", "--work-dir", tmp.toString());
        assertThat(status.exit()).isEqualTo(3);
    }

    @Test
    void jobNeedsAKnownName() {
        CommandRun none = cli("job");
        assertThat(none.exit()).isEqualTo(CliException.USAGE);
        assertThat(none.error())
                .isEqualTo("flink-gru job: job needs a name: sensor or recommendation");
        CommandRun unknown = cli("job", "weather", "--x", "1");
        assertThat(unknown.exit()).isEqualTo(CliException.USAGE);
        assertThat(unknown.error())
                .isEqualTo(
                        "flink-gru job: unknown job 'weather'; expected sensor or recommendation");
    }

    @Test
    void everythingAfterTheJobsNameIsTheJobs() {
        ParseResult parsed =
                FlinkGruCli.commandLine()
                        .parseArgs(
                                "job",
                                "sensor",
                                "--config",
                                "job.properties",
                                "--kafka.bootstrap-servers",
                                "127.0.0.1:29093",
                                "--help");
        ParseResult job = parsed.subcommand();
        assertThat(job.isUsageHelpRequested()).as("--help is the job's").isFalse();
        JobCommand command = (JobCommand) job.commandSpec().userObject();
        assertThat(command.name).isEqualTo("sensor");
        assertThat(command.options)
                .containsExactly(
                        "--config",
                        "job.properties",
                        "--kafka.bootstrap-servers",
                        "127.0.0.1:29093",
                        "--help");
        assertThat(command.workDir).isEqualTo(Path.of(".flink-gru"));
        assertThat(cli("job", "--help").out())
                .startsWith("Usage: flink-gru job [--work-dir .flink-gru] sensor|recommendation");
    }

    @Test
    void theWorkDirectoryComesBeforeTheJobsName() {
        ParseResult parsed =
                FlinkGruCli.commandLine()
                        .parseArgs("job", "--work-dir", "/tmp/w", "sensor", "--work-dir", "x");
        JobCommand command = (JobCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(command.workDir).isEqualTo(Path.of("/tmp/w"));
        assertThat(command.options)
                .as("after the name: the job's")
                .containsExactly("--work-dir", "x");
    }
}
