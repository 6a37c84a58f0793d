package dev.flinkgru.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkgru.tools.command.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The results of one bench run as {@code bench --json FILE} writes them: {@code
 * {"cores":N,"results":[{"mode","hidden","batch","backend","events_per_s","p50_ms","p99_ms",
 * "engine","predictor","pipeline_depth","shared","device_batch_mean","keys","key_distribution",
 * "checkpoints","checkpoint_ms","checkpoint_max_ms","checkpoint_bytes","checkpoint_full_bytes"}]}}
 * ({@code engine} and {@code predictor} name the same: torchscript, onnx or simulated; the
 * checkpoint fields are 0 for a run without checkpoints). Files of earlier runs, without the fields
 * after {@code p99_ms}, read as TorchScript at pipeline depth 1, unshared, keys 0 (not recorded),
 * uniform, no checkpoints.
 *
 * @param cores the cores of the machine that ran them (0 if unknown)
 * @param results the measured configurations, in run order
 */
record BenchResults(int cores, List<BenchResult> results) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the results to {@code file}, creating its directory. */
    static void write(BenchResults results, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("cores", results.cores());
        ArrayNode array = root.putArray("results");
        for (BenchResult r : results.results()) {
            ObjectNode node = array.addObject();
            node.put("mode", r.mode());
            node.put("hidden", r.hidden());
            node.put("batch", r.batch());
            node.put("backend", r.backend());
            node.put("events_per_s", r.eventsPerSecond());
            node.put("p50_ms", r.p50Millis());
            node.put("p99_ms", r.p99Millis());
            node.put("engine", r.predictor());
            node.put("predictor", r.predictor());
            node.put("pipeline_depth", r.pipelineDepth());
            node.put("shared", r.shared());
            node.put("device_batch_mean", r.deviceBatchMean());
            node.put("keys", r.keys());
            node.put("key_distribution", r.keyDistribution());
            node.put("checkpoints", r.checkpoints().count());
            node.put("checkpoint_ms", r.checkpoints().medianMillis());
            node.put("checkpoint_max_ms", r.checkpoints().maxMillis());
            node.put("checkpoint_bytes", r.checkpoints().medianBytes());
            node.put("checkpoint_full_bytes", r.checkpoints().fullBytes());
            node.put("order", r.order());
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    /** Reads a file {@link #write} wrote; a {@link CliException} naming what is wrong if not. */
    static BenchResults read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw CliException.failure("cannot read " + file + ": " + firstLine(e.getMessage()));
        }
        JsonNode array = root == null ? null : root.get("results");
        if (array == null || !array.isArray()) {
            throw CliException.failure(file + " has no \"results\" array; is it of bench --json?");
        }
        List<BenchResult> results = new ArrayList<>();
        for (JsonNode r : array) {
            BenchResult old =
                    new BenchResult(
                            text(file, r, "mode"),
                            number(file, r, "hidden").intValue(),
                            number(file, r, "batch").intValue(),
                            text(file, r, "backend"),
                            number(file, r, "events_per_s").doubleValue(),
                            number(file, r, "p50_ms").doubleValue(),
                            number(file, r, "p99_ms").doubleValue());
            results.add(
                    new BenchResult(
                            old.mode(),
                            old.hidden(),
                            old.batch(),
                            old.backend(),
                            old.eventsPerSecond(),
                            old.p50Millis(),
                            old.p99Millis(),
                            r.path("predictor").asText(r.path("engine").asText(old.predictor())),
                            r.path("pipeline_depth").asInt(old.pipelineDepth()),
                            r.path("shared").asBoolean(false),
                            r.path("device_batch_mean").asDouble(0),
                            r.path("keys").asInt(0),
                            r.path("key_distribution").asText("uniform"),
                            r.path("checkpoints").asInt(0) == 0
                                    ? CheckpointStats.NONE
                                    : new CheckpointStats(
                                            r.path("checkpoints").asInt(),
                                            r.path("checkpoint_ms").asDouble(),
                                            r.path("checkpoint_max_ms").asDouble(),
                                            r.path("checkpoint_bytes").asLong(),
                                            r.path("checkpoint_full_bytes").asLong()),
                            r.path("order").asText("arrival")));
        }
        return new BenchResults(root.path("cores").asInt(0), results);
    }

    private static String text(Path file, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw CliException.failure(file + ": a result has no text field \"" + field + "\"");
        }
        return value.asText();
    }

    private static Number number(Path file, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw CliException.failure(file + ": a result has no number field \"" + field + "\"");
        }
        return value.numberValue();
    }

    private static String firstLine(String message) {
        return String.valueOf(message).split("\n", 2)[0];
    }
}
