package dev.flinkgru.jobs.recommend;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options of the recommendation job. */
public final class RecommendationOptions {

    private RecommendationOptions() {}

    public static final ConfigOption<Integer> ITEMS =
            ConfigOptions.key("rec.items")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Item ids the model knows: 0 .. rec.items - 1.");

    public static final ConfigOption<Integer> TOP_K =
            ConfigOptions.key("rec.top-k")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "K; the model returns y[B,2K]: K item ids (as float32), then their K"
                                    + " scores.");
}
