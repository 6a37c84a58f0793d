package dev.flinkgru.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.tools.command.Progress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --kafka}'s measurement on a real broker and the sensor job in a MiniCluster: both
 * runs complete with every reading forecast exactly once (the bench fails otherwise), and the row
 * carries the configuration it ran.
 */
class KafkaJobBenchITCase {

    private static final Path MODEL = Paths.get("../models/bench/gru-f8-h64.onnx");

    @Test
    void measuresTheSensorJobFromKafkaToKafka() throws Exception {
        try (KafkaJobBench bench = KafkaJobBench.start(500, 8, 2, Progress.start("test"))) {
            BenchResult result =
                    bench.measure(
                            new KafkaJobBench.Run(
                                    64,
                                    MODEL,
                                    "onnx",
                                    "cpu",
                                    "heap",
                                    256,
                                    2,
                                    Duration.ofMillis(10)),
                            20_000,
                            Duration.ofSeconds(1));

            assertThat(result.mode()).isEqualTo("kafka-job");
            assertThat(result.hidden()).isEqualTo(64);
            assertThat(result.batch()).isEqualTo(256);
            assertThat(result.pipelineDepth()).isEqualTo(2);
            assertThat(result.predictor()).isEqualTo("onnx");
            assertThat(result.backend()).isEqualTo("heap");
            assertThat(result.eventsPerSecond()).isFinite().isPositive();
            assertThat(result.p50Millis()).isFinite().isPositive();
            assertThat(result.p99Millis()).isGreaterThanOrEqualTo(result.p50Millis());
        }
    }
}
