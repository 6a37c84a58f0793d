package dev.flinkgru.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flink-gru bench}'s flags, and {@code --chart-from}, which runs no benchmark. */
class BenchCommandTest {

    @TempDir Path tmp;

    private static BenchCommand resolved(String... args) {
        BenchCommand bench = CommandRun.parse(new BenchCommand(), args);
        bench.resolve();
        return bench;
    }

    @Test
    void theDefaultsOfAFullRun() {
        BenchCommand bench = resolved();
        assertThat(bench.eventCount).isEqualTo(5_000_000);
        assertThat(bench.keys).isEqualTo(100_000);
        assertThat(bench.keyDistribution).hasToString("uniform");
        assertThat(bench.checkpointIntervalMs).isZero();
        assertThat(bench.hiddenSizes).containsExactly(64, 256);
        assertThat(bench.batchSizes).containsExactly(64, 256, 1024);
        assertThat(bench.backends).containsExactly("heap", "rocksdb");
        assertThat(bench.parallelism).isEqualTo(2);
        assertThat(bench.perEventEvents).isEqualTo(300_000);
        assertThat(bench.latencyRun).isEqualTo(Duration.ofSeconds(20));
        assertThat(bench.maxDelay).isEqualTo(Duration.ofMillis(10));
        assertThat(bench.bufferTimeoutMillis).isEqualTo(2);
        assertThat(bench.device).isEqualTo("cpu");
        assertThat(bench.modelsDir).isEqualTo(BenchCommand.defaultModelsDir());
        assertThat(bench.json).isNull();
        assertThat(bench.chart).isEqualTo(Path.of(".flink-gru", "bench", "throughput.svg"));
        assertThat(bench.chartFrom).isNull();
    }

    @Test
    void quickChangesOnlyWhatIsNotGiven() {
        BenchCommand quick = resolved("--quick");
        assertThat(quick.eventCount).isEqualTo(600_000);
        assertThat(quick.hiddenSizes).containsExactly(64);
        assertThat(quick.backends).containsExactly("heap");
        assertThat(quick.perEventEvents).isEqualTo(40_000);
        assertThat(quick.latencyRun).isEqualTo(Duration.ofSeconds(6));
        assertThat(quick.batchSizes).containsExactly(64, 256, 1024);

        BenchCommand given =
                resolved(
                        "--quick",
                        "--events",
                        "1000",
                        "--hidden",
                        "256",
                        "--backends",
                        "rocksdb",
                        "--per-event-events",
                        "10",
                        "--latency-seconds",
                        "1",
                        "--batches",
                        "8,16",
                        "--models-dir",
                        "m",
                        "--device",
                        "gpu",
                        "--json",
                        "b.json",
                        "--chart",
                        "c.png");
        assertThat(given.eventCount).isEqualTo(1000);
        assertThat(given.hiddenSizes).containsExactly(256);
        assertThat(given.backends).containsExactly("rocksdb");
        assertThat(given.perEventEvents).isEqualTo(10);
        assertThat(given.latencyRun).isEqualTo(Duration.ofSeconds(1));
        assertThat(given.batchSizes).containsExactly(8, 16);
        assertThat(given.modelsDir).isEqualTo(Path.of("m"));
        assertThat(given.device).isEqualTo("gpu");
        assertThat(given.json).isEqualTo(Path.of("b.json"));
        assertThat(given.chart).isEqualTo(Path.of("c.png"));
    }

    @Test
    void keysAtScaleTheirDistributionAndCheckpoints() {
        BenchCommand scale =
                resolved(
                        "--keys",
                        "10000000",
                        "--key-distribution",
                        "zipf:1.1",
                        "--checkpoint-interval-ms",
                        "5000");
        assertThat(scale.keys).isEqualTo(10_000_000);
        assertThat(scale.keyDistribution).hasToString("zipf:1.1");
        assertThat(scale.checkpointIntervalMs).isEqualTo(5000);
    }

    @Test
    void badValuesAreUsageErrorsNamingTheFlag() {
        assertUsage(
                List.of("--backends", "heap,mem"),
                "--backends takes heap and/or rocksdb, not 'mem'");
        assertUsage(
                List.of("--hidden", "64,x"),
                "--hidden must be a comma-separated list of integers, was '64,x'");
        assertUsage(List.of("--events", "5M"), "--events must be an integer, was '5M'");
        assertUsage(List.of("--quick=maybe"), "--quick 'maybe' is not a boolean");
        assertUsage(List.of("--chart-from"), "--chart-from needs a value");
        assertUsage(
                List.of("--key-distribution", "zipf:0"),
                "--key-distribution takes uniform or zipf:S with S > 0 (e.g. zipf:1.1), not"
                        + " 'zipf:0'");
        assertUsage(
                List.of("--checkpoint-interval-ms", "-1"),
                "--checkpoint-interval-ms must be 0 (never) or more, not -1");
    }

    @Test
    void chartFromDrawsTheChartOfAJsonFileAndRunsNothing() throws Exception {
        Path json = tmp.resolve("bench.json");
        BenchResults.write(new BenchResults(2, BenchResultsTest.RESULTS), json);
        Path chart = tmp.resolve("charts/throughput.svg");
        CommandRun run =
                CommandRun.of(
                        new BenchCommand(),
                        "--chart-from",
                        json.toString(),
                        "--chart",
                        chart.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(Files.readString(chart)).startsWith("<svg").contains(">256<");
    }

    @Test
    void chartFromABadFileIsOneLine() {
        CommandRun run =
                CommandRun.of(
                        new BenchCommand(), "--chart-from", tmp.resolve("none.json").toString());
        assertThat(run.exit()).isEqualTo(CliException.FAILURE);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.error()).startsWith("flink-gru bench: cannot read ");
    }

    private static void assertUsage(List<String> args, String message) {
        CommandRun run = CommandRun.of(new BenchCommand(), args.toArray(String[]::new));
        assertThat(run.exit()).as("exit of %s", args).isEqualTo(CliException.USAGE);
        assertThat(run.error()).isEqualTo("flink-gru bench: " + message);
    }
}
