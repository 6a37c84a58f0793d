package dev.flinkgru.tools.cli;

import dev.flinkgru.tools.replay.ReplayCommand;
import java.util.Arrays;
import org.apache.flink.configuration.IllegalConfigurationException;

/** Entry point of {@code bin/flink-gru}: dispatches to the subcommands. */
public final class FlinkGruCli {

    private static final String USAGE =
            String.join(
                    "\n",
                    "usage: flink-gru <command> [options]",
                    "",
                    "commands:",
                    "  demo     the sensor (or --job recommendation) job on a local broker, live",
                    "  bench    throughput and latency: no model, per event, batched",
                    "  replay   run a CSV of events through the operator in a local Flink MiniCluster",
                    "  state    export|inspect|bootstrap the operator's hidden states in savepoints",
                    "  job      sensor|recommendation [--option value ...]: run a Kafka job locally",
                    "  kafka    start|stop|status the local single-node Kafka broker",
                    "",
                    "Run 'flink-gru <command> --help' for a command's options.");

    private FlinkGruCli() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    private static int runJob(String[] args) throws Exception {
        if (args.length == 0) {
            throw CliException.usage("job needs a name: sensor or recommendation");
        }
        String[] options = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "sensor":
                dev.flinkgru.jobs.sensor.SensorForecastJob.main(options);
                return 0;
            case "recommendation":
                dev.flinkgru.jobs.recommend.RecommendationJob.main(options);
                return 0;
            default:
                throw CliException.usage(
                        "unknown job '" + args[0] + "'; expected sensor or recommendation");
        }
    }

    /** Runs one command and returns the process exit code. */
    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(USAGE);
            return args.length == 0 ? CliException.USAGE : 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "replay":
                    return ReplayCommand.run(rest);
                case "state":
                    return dev.flinkgru.tools.state.StateCommand.run(rest);
                case "demo":
                    return dev.flinkgru.tools.demo.DemoCommand.run(rest);
                case "bench":
                    return dev.flinkgru.tools.bench.BenchCommand.run(rest);
                case "job":
                    return runJob(rest);
                case "kafka":
                    return dev.flinkgru.tools.kafka.KafkaCommand.run(rest);
                default:
                    throw CliException.usage("unknown command '" + command + "'\n" + USAGE);
            }
        } catch (CliException e) {
            System.err.println("flink-gru " + command + ": " + e.getMessage());
            return e.exitCode();
        } catch (IllegalConfigurationException e) {
            System.err.println("flink-gru " + command + ": " + e.getMessage());
            return CliException.USAGE;
        } catch (Exception e) {
            System.err.println("flink-gru " + command + ": " + e);
            return CliException.FAILURE;
        }
    }
}
