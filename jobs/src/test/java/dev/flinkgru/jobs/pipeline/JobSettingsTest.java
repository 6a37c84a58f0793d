package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.jobs.recommend.RecommendationJob;
import dev.flinkgru.jobs.recommend.RecommendationOptions;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.description.Description;
import org.apache.flink.configuration.description.LinkElement;
import org.apache.flink.configuration.description.TextElement;
import org.junit.jupiter.api.Test;

/** {@code flink-gru job sensor --help}: {@link JobSettings#describe}. */
class JobSettingsTest {

    @Test
    void durationDefaultsReadInHumanUnits() {
        String help = JobSettings.describe(SensorForecastJob.DEFAULTS);
        assertThat(help)
                .contains("--gru.batch.max-delay (default: 10 ms)")
                .contains("--job.checkpoint-interval (default: 5 s)")
                .contains("--job.watermark.out-of-orderness (default: 2 s)")
                .doesNotContain("PT0.01S")
                .doesNotContain("PT5S");
    }

    @Test
    void descriptionsArePlainText() {
        String help = JobSettings.describe(RecommendationJob.DEFAULTS, RecommendationOptions.class);
        assertThat(help.replaceAll("\\s+", " "))
                .as("the help, its lines joined")
                .contains("forward(x[B,F], h[L,B,H]) -> (y[B,O], h[L,B,H])")
                .doesNotContain("&gt;")
                .doesNotContain("&lt;")
                .doesNotContain("&#")
                .doesNotContain("<code")
                .doesNotContain("<br");
    }

    @Test
    void theJobsDefaultsWinOverTheOptionsOwn() {
        String help = JobSettings.describe(SensorForecastJob.DEFAULTS);
        assertThat(help)
                .contains("--gru.model.hidden-size (default: 32)")
                .contains("--kafka.input-topic (default: sensor-readings)")
                .contains("--gru.batch.max-size (default: 256)");
    }

    @Test
    void everyOptionHasItsLineAndAnIndentedDescription() {
        String help = JobSettings.describe(RecommendationJob.DEFAULTS, RecommendationOptions.class);
        List<String> lines = help.lines().toList();
        long optionLines = lines.stream().filter(l -> l.startsWith("  --")).count();
        assertThat(optionLines)
                .isEqualTo(JobSettings.knownOptions(RecommendationOptions.class).size());
        assertThat(lines).allSatisfy(l -> assertThat(l).matches("  --.*|      \\S.*"));
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
    }

    @Test
    void richDescriptionsBecomeLinesAndListItems() {
        String help = JobSettings.describe(Map.of(), Holder.class);
        assertThat(help)
                .contains(
                        "  --x.wait (default: 2 min)\n"
                                + "      Waits x -> then stops.\n"
                                + "      - one\n"
                                + "      - two\n"
                                + "      See docs (https://a.b).\n");
    }

    @Test
    void formatKeepsOtherValuesAsTheyAre() {
        assertThat(JobSettings.format(Duration.ofMillis(1500))).isEqualTo("1500 ms");
        assertThat(JobSettings.format(256)).isEqualTo("256");
        assertThat(JobSettings.format(KafkaJobOptions.OutputTimestamp.PROCESSING_TIME))
                .isEqualTo("PROCESSING_TIME");
    }

    /** Options of a test job. */
    public static final class Holder {
        public static final ConfigOption<Duration> WAIT =
                ConfigOptions.key("x.wait")
                        .durationType()
                        .defaultValue(Duration.ofMinutes(2))
                        .withDescription(
                                Description.builder()
                                        .text("Waits %s -> then stops.", TextElement.code("x"))
                                        .linebreak()
                                        .list(TextElement.text("one"), TextElement.text("two"))
                                        .text("See %s.", LinkElement.link("https://a.b", "docs"))
                                        .build());

        private Holder() {}
    }
}
