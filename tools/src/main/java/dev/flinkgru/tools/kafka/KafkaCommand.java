package dev.flinkgru.tools.kafka;

import dev.flinkgru.testing.kafka.LocalKafka;
import dev.flinkgru.tools.cli.CliException;
import dev.flinkgru.tools.cli.Options;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

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
public final class KafkaCommand {

    /** Work directory when {@code --work-dir} is not given, relative to the current directory. */
    public static final String DEFAULT_WORK_DIR = ".flink-gru/kafka";

    /** Exit code of {@code status} when no broker is running. */
    public static final int NOT_RUNNING = 3;

    private static final String USAGE =
            String.join(
                    "\n",
                    "usage: flink-gru kafka start  [--work-dir D] [--port N] [--partitions N]"
                            + " [--topics a,b,c]",
                    "       flink-gru kafka stop   [--work-dir D]",
                    "       flink-gru kafka status [--work-dir D]",
                    "",
                    "  --work-dir D     broker config, data, log and pid file (default "
                            + DEFAULT_WORK_DIR
                            + ")",
                    "  --port N         client port on 127.0.0.1, 0 for any free one (default "
                            + LocalKafka.DEFAULT_PORT
                            + "; the controller takes N+1)",
                    "  --partitions N   partitions of the topics created (default "
                            + LocalKafka.DEFAULT_PARTITIONS
                            + ")",
                    "  --topics a,b,c   topics to create; existing ones are kept");

    private static final Set<String> OPTIONS = Set.of("work-dir", "port", "partitions", "topics");

    private static final Set<String> HELP = Set.of("-h", "--help", "help");

    private KafkaCommand() {}

    /** Runs the command and exits with its code, as {@code flink-gru kafka} does. */
    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (CliException e) {
            System.err.println("flink-gru kafka: " + e.getMessage());
            code = e.exitCode();
        }
        System.exit(code);
    }

    /**
     * Runs the command with {@code args} (without the leading {@code kafka}) and returns the exit
     * code: 0 done or running, 3 not running ({@code status}).
     *
     * @throws CliException on bad usage (exit code 2) and on failure (1)
     */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    /**
     * Runs the command, writing to {@code out} and {@code err}.
     *
     * @throws CliException on bad usage (exit code 2) and on failure (1)
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (rest.isEmpty()) {
            throw CliException.usage("missing action\n" + USAGE);
        }
        String action = rest.remove(0);
        if (HELP.contains(action) || rest.stream().anyMatch(HELP::contains)) {
            out.println(USAGE);
            return 0;
        }
        if (!List.of("start", "stop", "status").contains(action)) {
            throw CliException.usage("unknown action '" + action + "'\n" + USAGE);
        }
        Options o = Options.parse(rest.toArray(new String[0]), OPTIONS, Set.of());
        Path workDir = Path.of(o.get("work-dir", DEFAULT_WORK_DIR)).toAbsolutePath().normalize();
        try {
            switch (action) {
                case "start":
                    return start(o, workDir, out, err);
                case "stop":
                    return stop(workDir, err);
                default:
                    return status(workDir, out);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CliException) {
                throw (CliException) e;
            }
            throw new CliException(CliException.FAILURE, action + " failed: " + e.getMessage(), e);
        }
    }

    private static int start(Options o, Path workDir, PrintStream out, PrintStream err)
            throws IOException {
        int port = o.getInt("port", LocalKafka.DEFAULT_PORT);
        if (port < 0 || port > 65535) {
            throw CliException.usage("--port must be in [0, 65535], was " + port);
        }
        int partitions = o.getInt("partitions", LocalKafka.DEFAULT_PARTITIONS);
        if (partitions < 1) {
            throw CliException.usage("--partitions must be at least 1, was " + partitions);
        }
        List<String> topics =
                Arrays.stream(o.get("topics", "").split(","))
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

    private static int stop(Path workDir, PrintStream err) {
        OptionalLong stopped = LocalKafka.stop(workDir, Duration.ofSeconds(30));
        if (stopped.isPresent()) {
            err.println("Kafka stopped (pid " + stopped.getAsLong() + ").");
        } else {
            err.println("No Kafka broker is running from " + workDir + ".");
        }
        return 0;
    }

    private static int status(Path workDir, PrintStream out) {
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
