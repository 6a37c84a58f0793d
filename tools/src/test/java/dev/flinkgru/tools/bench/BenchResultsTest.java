package dev.flinkgru.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.tools.command.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --json}'s file: its fields, and reading it back for {@code --chart-from}. */
class BenchResultsTest {

    static final List<BenchResult> RESULTS =
            List.of(
                    new BenchResult("no-model", 64, 0, "heap", 268118.27, 1.22, 5.91),
                    new BenchResult("per-event", 64, 1, "heap", 2183.2, 2.03, 49.9),
                    new BenchResult("batched", 64, 64, "heap", 208252.19, 2.89, 57.5),
                    new BenchResult("batched", 64, 256, "heap", 339124.47, 6.06, 48.4),
                    new BenchResult("batched", 64, 1024, "heap", 269575.25, 19.1, 48.7),
                    new BenchResult("no-model", 64, 0, "rocksdb", 89356.0, 1.8, 102.8),
                    new BenchResult("per-event", 64, 1, "rocksdb", 6221.0, 1.7, 5.5),
                    new BenchResult("batched", 64, 64, "rocksdb", 65664.0, 6.4, 227.8),
                    new BenchResult("batched", 64, 256, "rocksdb", 74095.0, 19.0, 225.5),
                    new BenchResult("batched", 64, 1024, "rocksdb", 56182.0, 17.8, 37.4));

    @TempDir Path tmp;

    @Test
    void theFileHasTheDocumentedFields() throws Exception {
        Path file = tmp.resolve("out/bench.json");
        BenchResults.write(new BenchResults(2, RESULTS), file);
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertThat(root.get("cores").asInt()).isEqualTo(2);
        JsonNode first = root.get("results").get(0);
        assertThat(first.fieldNames())
                .toIterable()
                .containsExactly(
                        "mode",
                        "hidden",
                        "batch",
                        "backend",
                        "events_per_s",
                        "p50_ms",
                        "p99_ms",
                        "engine",
                        "predictor",
                        "pipeline_depth",
                        "shared",
                        "device_batch_mean",
                        "keys",
                        "key_distribution",
                        "checkpoints",
                        "checkpoint_ms",
                        "checkpoint_max_ms",
                        "checkpoint_bytes",
                        "checkpoint_full_bytes",
                        "order");
        assertThat(first.get("mode").asText()).isEqualTo("no-model");
        assertThat(first.get("batch").asInt()).isZero();
        assertThat(first.get("events_per_s").asDouble()).isEqualTo(268118.27);
        assertThat(root.get("results")).hasSize(RESULTS.size());
    }

    @Test
    void aFileOfAnEarlierRunReadsAsTorchScriptAtDepthOneUnshared() throws Exception {
        Path file = tmp.resolve("old.json");
        java.nio.file.Files.writeString(
                file,
                "{\"results\":[{\"mode\":\"batched\",\"hidden\":64,\"batch\":256,"
                        + "\"backend\":\"heap\",\"events_per_s\":339124.5,\"p50_ms\":6.1,"
                        + "\"p99_ms\":48.4}]}");
        BenchResult r = BenchResults.read(file).results().get(0);
        assertThat(r.predictor()).isEqualTo("torchscript");
        assertThat(r.pipelineDepth()).isEqualTo(1);
        assertThat(r.shared()).isFalse();
        assertThat(r.deviceBatchMean()).isZero();
        assertThat(r.keys()).isZero();
        assertThat(r.keyDistribution()).isEqualTo("uniform");
        assertThat(r.checkpoints()).isEqualTo(CheckpointStats.NONE);
    }

    @Test
    void keysTheirDistributionAndCheckpointsReadBack() throws Exception {
        Path file = tmp.resolve("scale.json");
        List<BenchResult> rows =
                List.of(
                        new BenchResult(
                                "batched",
                                64,
                                1024,
                                "rocksdb",
                                90_000,
                                9.5,
                                30.1,
                                "onnx",
                                2,
                                false,
                                1000,
                                10_000_000,
                                "zipf:1.1",
                                new CheckpointStats(7, 812, 1544, 41_000_000L, 3_100_000_000L),
                                "event-time"));
        BenchResults.write(new BenchResults(2, rows), file);
        JsonNode first = new ObjectMapper().readTree(file.toFile()).get("results").get(0);
        assertThat(first.get("keys").asInt()).isEqualTo(10_000_000);
        assertThat(first.get("key_distribution").asText()).isEqualTo("zipf:1.1");
        assertThat(first.get("order").asText()).isEqualTo("event-time");
        assertThat(first.get("checkpoints").asInt()).isEqualTo(7);
        assertThat(first.get("checkpoint_ms").asDouble()).isEqualTo(812);
        assertThat(first.get("checkpoint_max_ms").asDouble()).isEqualTo(1544);
        assertThat(first.get("checkpoint_bytes").asLong()).isEqualTo(41_000_000L);
        assertThat(first.get("checkpoint_full_bytes").asLong()).isEqualTo(3_100_000_000L);
        assertThat(BenchResults.read(file).results()).isEqualTo(rows);
    }

    @Test
    void checkpointFiguresAreMediansMaximumAndTheLastFullSize() {
        CheckpointStats stats =
                CheckpointStats.of(
                        List.of(
                                new CheckpointStats.Checkpoint(300, 10, 100),
                                new CheckpointStats.Checkpoint(100, 30, 130),
                                new CheckpointStats.Checkpoint(200, 20, 150)));
        assertThat(stats).isEqualTo(new CheckpointStats(3, 200, 300, 20, 150));
        assertThat(CheckpointStats.of(List.of())).isEqualTo(CheckpointStats.NONE);
    }

    @Test
    void simulatedAndSharedRowsReadBack() throws Exception {
        Path file = tmp.resolve("new.json");
        List<BenchResult> rows =
                List.of(
                        new BenchResult(
                                "batched",
                                64,
                                256,
                                "heap",
                                250_000,
                                4.2,
                                9.9,
                                "simulated",
                                2,
                                true,
                                812.5));
        BenchResults.write(new BenchResults(2, rows), file);
        JsonNode first = new ObjectMapper().readTree(file.toFile()).get("results").get(0);
        assertThat(first.get("predictor").asText()).isEqualTo("simulated");
        assertThat(first.get("engine").asText()).isEqualTo("simulated");
        assertThat(first.get("pipeline_depth").asInt()).isEqualTo(2);
        assertThat(first.get("shared").asBoolean()).isTrue();
        assertThat(first.get("device_batch_mean").asDouble()).isEqualTo(812.5);
        assertThat(BenchResults.read(file).results()).isEqualTo(rows);
    }

    @Test
    void whatIsWrittenReadsBack() throws Exception {
        Path file = tmp.resolve("bench.json");
        BenchResults.write(new BenchResults(16, RESULTS), file);
        BenchResults read = BenchResults.read(file);
        assertThat(read.cores()).isEqualTo(16);
        assertThat(read.results()).isEqualTo(RESULTS);
    }

    @Test
    void theCommittedRunReads() {
        BenchResults docs = BenchResults.read(Path.of("../docs/bench/bench.json"));
        assertThat(docs.cores()).isEqualTo(2);
        assertThat(docs.results()).hasSize(20);
        assertThat(docs.results().get(3).batch()).isEqualTo(256);
    }

    @Test
    void aFileOfSomethingElseIsRefusedWithOneLine() throws Exception {
        Path other = tmp.resolve("other.json");
        Files.writeString(other, "{\"rows\":[]}");
        assertThatThrownBy(() -> BenchResults.read(other))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("has no \"results\" array");
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"results\":[{\"mode\":\"batched\",\"hidden\":\"64\"}]}");
        assertThatThrownBy(() -> BenchResults.read(broken))
                .hasMessageContaining("a result has no number field \"hidden\"");
        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "{not json");
        assertThatThrownBy(() -> BenchResults.read(garbage))
                .hasMessageStartingWith("cannot read " + garbage)
                .hasMessageNotContaining("\n");
    }
}
