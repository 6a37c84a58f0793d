package dev.flinkgru.tools.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.testing.kafka.LocalKafka;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandLines;
import dev.flinkgru.tools.command.CommandRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/** {@code flink-gru kafka}'s flags and exit codes, without a broker; one runs in the ITCase. */
class KafkaCommandTest {

    @TempDir Path tmp;

    private static CommandRun kafka(String... args) {
        return CommandRun.of(
                (out, err) -> CommandLines.create(new KafkaCommand(out, err), out, err), args);
    }

    private static KafkaCommand.Start start(String... args) {
        ParseResult parsed = CommandLines.create(new KafkaCommand()).parseArgs(args);
        return (KafkaCommand.Start) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void startsDefaultsAreThoseOfTheLocalBroker() {
        KafkaCommand.Start start = start("start");
        assertThat(start.port).isEqualTo(LocalKafka.DEFAULT_PORT);
        assertThat(start.partitions).isEqualTo(LocalKafka.DEFAULT_PARTITIONS);
        assertThat(start.topics).isEmpty();
        assertThat(start.workDir.dir).isEqualTo(Path.of(KafkaCommand.DEFAULT_WORK_DIR));
        KafkaCommand.Start given =
                start(
                        "start",
                        "--port",
                        "0",
                        "--partitions",
                        "3",
                        "--topics",
                        "a,b",
                        "--work-dir",
                        "w");
        assertThat(given.port).isZero();
        assertThat(given.partitions).isEqualTo(3);
        assertThat(given.topics).isEqualTo("a,b");
        assertThat(given.workDir.resolved()).isEqualTo(Path.of("w").toAbsolutePath());
    }

    @Test
    void statusOfAWorkDirectoryWithoutABrokerIsThree() {
        CommandRun run = kafka("status", "--work-dir", tmp.toString());
        assertThat(run.exit()).isEqualTo(KafkaCommand.NOT_RUNNING);
        assertThat(run.out()).isEqualTo("stopped\n");
        CommandRun stop = kafka("stop", "--work-dir", tmp.toString());
        assertThat(stop.exit()).isZero();
        assertThat(stop.err()).contains("No Kafka broker is running from " + tmp.toAbsolutePath());
    }

    @Test
    void badUsageExitsTwoAndNamesWhatIsWrong() {
        assertUsage(List.of(), "flink-gru kafka: missing action: start, stop or status");
        assertUsage(
                List.of("restart"),
                "flink-gru kafka: unknown command 'restart'; expected start, stop, status, help");
        assertUsage(
                List.of("start", "--port", "x"),
                "flink-gru kafka start: --port must be an integer, was 'x'");
        assertUsage(
                List.of("start", "--port", "70000"),
                "flink-gru kafka start: --port must be in [0, 65535], was 70000");
        assertUsage(
                List.of("start", "--partitions", "0"),
                "flink-gru kafka start: --partitions must be at least 1, was 0");
        assertUsage(List.of("stop", "--port", "1"), "flink-gru kafka stop: unknown option --port");
    }

    @Test
    void helpExitsZero() {
        assertThat(kafka("--help").exit()).isZero();
        assertThat(kafka("help").out()).contains("start").contains("status");
        CommandRun startHelp = kafka("start", "--help");
        assertThat(startHelp.exit()).isZero();
        assertThat(startHelp.out()).contains("--topics=a,b,c").contains("Default: 19092");
    }

    private static void assertUsage(List<String> args, String line) {
        CommandRun run = kafka(args.toArray(String[]::new));
        assertThat(run.exit()).as("exit of %s", args).isEqualTo(CliException.USAGE);
        assertThat(run.error()).isEqualTo(line);
    }
}
