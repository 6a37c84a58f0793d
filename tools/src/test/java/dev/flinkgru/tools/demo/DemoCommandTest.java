package dev.flinkgru.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.testing.kafka.LocalKafka;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flink-gru demo}'s flags, and its charts; the demo itself runs from the README. */
class DemoCommandTest {

    @TempDir Path tmp;

    @Test
    void theDefaultsAreThoseOfTheReadme() {
        DemoCommand demo = CommandRun.parse(new DemoCommand());
        assertThat(demo.job).isEqualTo("sensor");
        assertThat(demo.duration).isEqualTo(Duration.ofSeconds(60));
        assertThat(demo.rate).isEqualTo(2000);
        assertThat(demo.keys).isEqualTo(200);
        assertThat(demo.parallelism).isEqualTo(2);
        assertThat(demo.batchSize).isEqualTo(256);
        assertThat(demo.checkpointInterval).isEqualTo(Duration.ofSeconds(1));
        assertThat(demo.port).isEqualTo(LocalKafka.DEFAULT_PORT);
        assertThat(demo.workDir).isEqualTo(Path.of(".flink-gru"));
    }

    @Test
    void durationsTakeUnitsAndZeroMeansUntilCtrlC() {
        assertThat(CommandRun.parse(new DemoCommand(), "--duration", "0").duration).isZero();
        assertThat(CommandRun.parse(new DemoCommand(), "--duration", "250").duration)
                .isEqualTo(Duration.ofMillis(250));
        assertThat(CommandRun.parse(new DemoCommand(), "--duration=5m").duration)
                .isEqualTo(Duration.ofMinutes(5));
        DemoCommand demo =
                CommandRun.parse(
                        new DemoCommand(),
                        "--job",
                        "recommendation",
                        "--checkpoint-interval",
                        "1.5s",
                        "--port",
                        "29093",
                        "--work-dir",
                        "w",
                        "--rate",
                        "10",
                        "--keys",
                        "3",
                        "--parallelism",
                        "1",
                        "--batch-size",
                        "8");
        assertThat(demo.job).isEqualTo("recommendation");
        assertThat(demo.checkpointInterval).isEqualTo(Duration.ofMillis(1500));
        assertThat(demo.port).isEqualTo(29093);
        assertThat(demo.workDir).isEqualTo(Path.of("w"));
        assertThat(demo.rate).isEqualTo(10);
        assertThat(demo.keys).isEqualTo(3);
        assertThat(demo.parallelism).isEqualTo(1);
        assertThat(demo.batchSize).isEqualTo(8);
    }

    @Test
    void badValuesAreUsageErrorsNamingTheFlag() {
        assertUsage(
                List.of("--job", "weather"),
                "--job must be sensor or recommendation, was 'weather'");
        assertUsage(
                List.of("--duration", "1 minute"),
                "--duration must be a duration like 250ms, 60s or 5m, was '1 minute'");
        assertUsage(List.of("--rate", "0"), "--rate, --keys and --parallelism must be at least 1");
        assertUsage(List.of("--port", "http"), "--port must be an integer, was 'http'");
        assertUsage(List.of("--help-me"), "unknown option --help-me (did you mean --help?)");
    }

    @Test
    void theSensorChartIsWritten() throws Exception {
        List<List<double[]>> points = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            List<double[]> sensor = new ArrayList<>();
            for (int i = 1; i <= 120; i++) {
                double actual = Math.sin(i / 8.0 + s);
                sensor.add(new double[] {i, actual, actual + 0.05, Math.sin((i - 1) / 8.0 + s)});
            }
            points.add(sensor);
        }
        Path png =
                DemoCharts.sensor(
                        List.of("s-0", "s-1", "s-2"), points, 0.05, 0.12, tmp.resolve("s.png"));
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
        Path svg =
                DemoCharts.sensor(
                        List.of("s-0", "s-1", "s-2"), points, 0.05, 0.12, tmp.resolve("s.svg"));
        assertThat(Files.readString(svg))
                .contains("flink-gru demo: sensor forecast vs actual")
                .contains("s-1, channel 0")
                .contains("GRU 0.0500, last value 0.1200");
    }

    @Test
    void theRecommendationChartIsWritten() throws Exception {
        List<double[]> curve = new ArrayList<>();
        for (int n = 200; n <= 20_000; n += 200) {
            curve.add(new double[] {n, 0.3 + n / 1e6, 0.05});
        }
        Path svg = DemoCharts.hitRate(10, curve, tmp.resolve("r.svg"));
        assertThat(Files.readString(svg))
                .contains("hit-rate@10")
                .contains(">20k<")
                .contains("after 20,000 lists: GRU 32.0%, most popular 5.0%");
        assertThat(Files.readString(DemoCharts.hitRate(10, List.of(), tmp.resolve("e.svg"))))
                .contains("no list judged yet");
    }

    private static void assertUsage(List<String> args, String message) {
        CommandRun run = CommandRun.of(new DemoCommand(), args.toArray(String[]::new));
        assertThat(run.exit()).as("exit of %s", args).isEqualTo(CliException.USAGE);
        assertThat(run.error()).isEqualTo("flink-gru demo: " + message);
    }
}
