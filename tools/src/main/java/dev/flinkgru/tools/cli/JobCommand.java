package dev.flinkgru.tools.cli;

import dev.flinkgru.jobs.recommend.RecommendationJob;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.LocalCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.util.ExceptionUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flink-gru job [--work-dir DIR] sensor|recommendation [--config FILE] [--key value ...]}:
 * runs a Kafka job's {@code main} in a local MiniCluster ({@link LocalCluster}) with the options as
 * given; the job parses them ({@code JobSettings}), and {@code --help} after the name lists them.
 */
@Command(
        name = "job",
        customSynopsis =
                "flink-gru job [--work-dir .flink-gru] sensor|recommendation [--config FILE]"
                        + " [--key value ...]",
        description = {
            "Runs a Kafka job (sensor or recommendation) locally.",
            "Runs a Kafka job locally, in a Flink MiniCluster: its options come from its defaults,"
                    + " then --config FILE (a properties file), then --key value arguments."
                    + " Checkpoints and savepoints go to WORK-DIR/job/; a failure is one line on"
                    + " stderr, and after "
                    + LocalCluster.RESTART_ATTEMPTS
                    + " restarts the job fails for good (exit 1).",
            ""
        },
        footer = {"", "'flink-gru job sensor --help' lists the job's options and their defaults."})
final class JobCommand implements Callable<Integer> {

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = ".flink-gru",
            showDefaultValue = CommandLine.Help.Visibility.ALWAYS,
            description = "Checkpoints and savepoints go to DIR/job/ (before the job's name).")
    Path workDir;

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
        JobMain main;
        switch (name) {
            case "sensor":
                main = SensorForecastJob::main;
                break;
            case "recommendation":
                main = RecommendationJob::main;
                break;
            default:
                throw CliException.usage(
                        "unknown job '" + name + "'; expected sensor or recommendation");
        }
        try {
            LocalCluster.runAsContext(
                    "flink-gru job",
                    workDir.resolve("job"),
                    () -> {
                        main.run(args);
                        return null;
                    });
        } catch (Exception e) {
            if (ExceptionUtils.findThrowable(e, JobExecutionException.class).isPresent()) {
                throw LocalCluster.jobFailed(e);
            }
            throw e;
        }
        return 0;
    }

    /** A job's {@code main}. */
    private interface JobMain {
        void run(String[] args) throws Exception;
    }
}
