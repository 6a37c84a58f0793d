package dev.flinkgru.tools.cli;

import dev.flinkgru.jobs.recommend.RecommendationJob;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import dev.flinkgru.tools.command.CliException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code flink-gru job sensor|recommendation [--config FILE] [--key value ...]}: runs a Kafka job's
 * {@code main} in a local MiniCluster with the options as given; the job parses them ({@code
 * JobSettings}), and {@code --help} after the name lists them.
 */
@Command(
        name = "job",
        customSynopsis = "flink-gru job sensor|recommendation [--config FILE] [--key value ...]",
        description = {
            "Runs a Kafka job (sensor or recommendation) locally.",
            "Runs a Kafka job locally, in a Flink MiniCluster: its options come from its defaults,"
                    + " then --config FILE (a properties file), then --key value arguments.",
            ""
        },
        footer = {"", "'flink-gru job sensor --help' lists the job's options and their defaults."})
final class JobCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "JOB",
            description = "sensor or recommendation.")
    String name;

    @Parameters(
            index = "1..*",
            paramLabel = "OPTION",
            description = "The job's options: --config FILE, --key value, --help.")
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (name == null) {
            throw CliException.usage("job needs a name: sensor or recommendation");
        }
        String[] args = options.toArray(new String[0]);
        switch (name) {
            case "sensor":
                SensorForecastJob.main(args);
                return 0;
            case "recommendation":
                RecommendationJob.main(args);
                return 0;
            default:
                throw CliException.usage(
                        "unknown job '" + name + "'; expected sensor or recommendation");
        }
    }
}
