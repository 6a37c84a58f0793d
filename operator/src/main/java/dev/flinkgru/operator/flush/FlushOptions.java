package dev.flinkgru.operator.flush;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of the {@link FlushPolicy} ({@code gru.batch.*}). Defined here, below the operator's
 * top package, so that the policy can name them in its messages; {@code GruOptions} lists each of
 * them as the same constant, with every other option of the operator.
 */
@PublicEvolving
public final class FlushOptions {

    private FlushOptions() {}

    public static final ConfigOption<Integer> BATCH_MAX_SIZE =
            ConfigOptions.key("gru.batch.max-size")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Largest batch of one predictor step, and the number of buffered events"
                                    + " at which the operator flushes. The buffer holds at most"
                                    + " this times gru.pipeline.depth events (its hard cap, and the"
                                    + " source of back-pressure).");

    public static final ConfigOption<Duration> BATCH_MAX_DELAY =
            ConfigOptions.key("gru.batch.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(10))
                    .withDescription(
                            "Longest time an event waits in the buffer (processing time) before"
                                    + " its batch runs.");
}
