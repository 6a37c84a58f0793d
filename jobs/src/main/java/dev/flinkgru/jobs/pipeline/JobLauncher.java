package dev.flinkgru.jobs.pipeline;

import java.util.Arrays;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs a flagship job from its {@code main}: options, help, then the pipeline. */
public final class JobLauncher {

    private JobLauncher() {}

    /**
     * Parses {@code args} over {@code defaults}, builds the pipeline with {@code codec} from the
     * configuration and executes it as {@code name} in the current execution environment (a cluster
     * when submitted, a local MiniCluster otherwise).
     */
    public static void run(
            String name,
            Map<String, String> defaults,
            String[] args,
            java.util.function.Function<Configuration, GruKafkaPipeline.Codec> codec,
            Class<?>... optionHolders)
            throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println("usage: " + name + " [--config FILE] [--option value ...]\n");
            System.out.print(JobSettings.describe(defaults, optionHolders));
            return;
        }
        Configuration config = JobSettings.parse(defaults, args, optionHolders);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        GruKafkaPipeline.build(env, config, codec.apply(config));
        env.execute(name);
    }
}
