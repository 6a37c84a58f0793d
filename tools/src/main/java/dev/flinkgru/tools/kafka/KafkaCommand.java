package dev.flinkgru.tools.kafka;

import dev.flinkgru.testing.kafka.LocalKafka;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandLines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flink-gru kafka start|stop|status}: a local broker for the demo that outlives the command.
 *
 * <pre>
 * kafka start  [--work-dir D] [--port N] [--partitions N] [--topics a,b,c]
 * kafka stop   [--work-dir D]
 * kafka status [--work-dir D]
 * </pre>
 *
 * <p>{@code start} prints only the bootstrap servers on stdout (for {@code $(...)}), everything
 * else goes to stderr. Starting when the work directory's broker runs already just creates the
 * topics and prints its address. Exit codes: 0 done / running, 1 failed, 2 bad usage, 3 not running
 * ({@code status}).
 */
@Command(
        name = "kafka",
        description = {
            "Starts, stops or checks the local single-node Kafka broker.",
            "A real broker (KRaft, kafka_2.13 from Maven Central) in its own JVM on 127.0.0.1 that"
                    + " outlives the command.",
            ""
        },
        commandListHeading = "%nCommands:%n",
        subcommands = {
            KafkaCommand.Start.class,
            KafkaCommand.Stop.class,
            KafkaCommand.Status.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "start prints only the bootstrap servers on stdout (for $(...)), the rest goes to stderr."
                    + " Exit codes: 0 done / running, 1 failed, 2 bad usage, 3 not running (status)."
        })
public final class KafkaCommand implements Callable<Integer> {

    /** Work directory when {@code --work-dir} is not given, relative to the current directory. */
    public static final String DEFAULT_WORK_DIR = ".flink-gru/kafka";

    /** Exit code of {@code status} when no broker is running. */
    public static final int NOT_RUNNING = 3;

    private final PrintStream out;
    private final PrintStream err;

    /** The command on {@link System#out} and {@link System#err}. */
    public KafkaCommand() {
        this(System.out, System.err);
    }

    KafkaCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the command and exits with its code, as {@code flink-gru kafka} does. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command with {@code args} (without the leading {@code kafka}) and returns the exit
     * code: 0 done or running, 1 failed, 2 bad usage, 3 not running ({@code status}).
     */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    /** Runs the command, writing to {@code out} and {@code err}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return CommandLines.execute(
                CommandLines.create(new KafkaCommand(out, err), out, err), args);
    }

    /** Without an action: a usage error. */
    @Override
    public Integer call() {
        throw CliException.usage("missing action: start, stop or status");
    }

    /** {@code --work-dir}, which every action takes. */
    static final class WorkDir {
        @Option(
                names = "--work-dir",
                paramLabel = "D",
                defaultValue = DEFAULT_WORK_DIR,
                description = "The broker's config, data, log and pid file.")
        Path dir;

        Path resolved() {
            return dir.toAbsolutePath().normalize();
        }
    }

    /** {@code kafka start}. */
    @Command(
            name = "start",
            sortOptions = false,
            showDefaultValues = true,
            customSynopsis =
                    "flink-gru kafka start [--work-dir D] [--port N] [--partitions N]"
                            + " [--topics a,b,c]",
            description = {
                "Starts the broker, or uses the one running there; creates the topics.",
                "Prints only the bootstrap servers on stdout.",
                ""
            })
    static final class Start implements Callable<Integer> {
        @ParentCommand KafkaCommand kafka;

        @Mixin WorkDir workDir;

        @Option(
                names = "--port",
                paramLabel = "N",
                defaultValue = "" + LocalKafka.DEFAULT_PORT,
                description =
                        "Client port on 127.0.0.1, 0 for any free one (the controller takes N+1).")
        int port;

        @Option(
                names = "--partitions",
                paramLabel = "N",
                defaultValue = "" + LocalKafka.DEFAULT_PARTITIONS,
                description = "Partitions of the topics created.")
        int partitions;

        @Option(
                names = "--topics",
                paramLabel = "a,b,c",
                defaultValue = "",
                showDefaultValue = CommandLine.Help.Visibility.NEVER,
                description = "Topics to create; existing ones are kept.")
        String topics;

        @Override
        public Integer call() {
            return failingAs(
                    "start", () -> kafka.startBroker(workDir.resolved(), port, partitions, topics));
        }
    }

    /** {@code kafka stop}. */
    @Command(
            name = "stop",
            sortOptions = false,
            showDefaultValues = true,
            customSynopsis = "flink-gru kafka stop [--work-dir D]",
            description = {"Stops the broker of the work directory.", ""})
    static final class Stop implements Callable<Integer> {
        @ParentCommand KafkaCommand kafka;

        @Mixin WorkDir workDir;

        @Override
        public Integer call() {
            return failingAs("stop", () -> kafka.stopBroker(workDir.resolved()));
        }
    }

    /** {@code kafka status}. */
    @Command(
            name = "status",
            sortOptions = false,
            showDefaultValues = true,
            customSynopsis = "flink-gru kafka status [--work-dir D]",
            description = {
                "Says whether the broker of the work directory runs: exit 0 if it does, 3 if not.",
                ""
            })
    static final class Status implements Callable<Integer> {
        @ParentCommand KafkaCommand kafka;

        @Mixin WorkDir workDir;

        @Override
        public Integer call() {
            return failingAs("status", () -> kafka.printStatus(workDir.resolved()));
        }
    }

    private interface Action {
        int run() throws IOException;
    }

    /** Runs {@code action}; an unexpected failure becomes {@code <name> failed: <message>}. */
    private static int failingAs(String name, Action action) {
        try {
            return action.run();
        } catch (CliException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CliException(CliException.FAILURE, name + " failed: " + e.getMessage(), e);
        }
    }

    private int startBroker(Path workDir, int port, int partitions, String topicList)
            throws IOException {
        if (port < 0 || port > 65535) {
            throw CliException.usage("--port must be in [0, 65535], was " + port);
        }
        if (partitions < 1) {
            throw CliException.usage("--partitions must be at least 1, was " + partitions);
        }
        List<String> topics =
                Arrays.stream(topicList.split(","))
                        .map(String::trim)
                        .filter(t -> !t.isEmpty())
                        .collect(Collectors.toList());
        LocalKafka.Status status = LocalKafka.status(workDir);
        String bootstrap;
        if (status.alive()) {
            if (!status.answering()) {
                throw CliException.failure(
                        "the broker from "
                                + workDir
                                + " (pid "
                                + status.pid()
                                + ") is alive but does not answer on "
                                + status.bootstrapServers()
                                + "; see "
                                + workDir.resolve(LocalKafka.LOG_FILE)
                                + " or run: flink-gru kafka stop");
            }
            err.println("Kafka is running already (pid " + status.pid() + ").");
            bootstrap = status.bootstrapServers();
        } else {
            long t0 = System.nanoTime();
            LocalKafka kafka =
                    LocalKafka.builder(workDir)
                            .optPort(port)
                            .optPartitions(partitions)
                            .optDetached(true)
                            .start();
            err.printf(
                    "Kafka started in %d ms (pid %d, log %s).%n",
                    (System.nanoTime() - t0) / 1_000_000, kafka.pid(), kafka.logFile());
            bootstrap = kafka.bootstrapServers();
        }
        if (!topics.isEmpty()) {
            LocalKafka.createTopics(bootstrap, partitions, topics);
            err.println("Topics: " + String.join(", ", topics));
        }
        out.println(bootstrap);
        return 0;
    }

    private int stopBroker(Path workDir) {
        OptionalLong stopped = LocalKafka.stop(workDir, Duration.ofSeconds(30));
        if (stopped.isPresent()) {
            err.println("Kafka stopped (pid " + stopped.getAsLong() + ").");
        } else {
            err.println("No Kafka broker is running from " + workDir + ".");
        }
        return 0;
    }

    private int printStatus(Path workDir) {
        LocalKafka.Status status = LocalKafka.status(workDir);
        if (status.running()) {
            out.println("running " + status.bootstrapServers() + " (pid " + status.pid() + ")");
            return 0;
        }
        if (status.alive()) {
            out.println("not answering (pid " + status.pid() + ")");
        } else {
            out.println("stopped");
        }
        return NOT_RUNNING;
    }
}
