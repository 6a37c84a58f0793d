package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.jobs.testing.KafkaJobFixture;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.kafka.KafkaTestIO;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import dev.flinkgru.tools.cli.FlinkGruCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code state export} on a savepoint written by the Kafka sensor job (not by replay): the states
 * after the fixture's whole stream equal torch's final states, with and without {@code
 * gru.state.ttl} (states in Flink's TTL wrapper).
 */
class KafkaJobSavepointITCase {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension().withPartitions(2);

    @TempDir Path tmp;

    @ParameterizedTest(name = "gru.state.ttl {0}")
    @ValueSource(strings = {"unset", "1 h"})
    void aSavepointOfTheSensorJobExportsTorchsFinalStates(String ttl) throws Exception {
        TorchFixture tiny = TorchFixture.load("tiny");
        KafkaJobFixture sensorJob =
                KafkaJobFixture.create(KAFKA, ttl.equals("unset") ? "sp" : "sp-ttl");
        Configuration config =
                sensorJob
                        .sensorJob()
                        .model(tiny)
                        .with("--job.parallelism", "2", "--job.checkpoint-interval", "300ms")
                        .configuration();
        if (!ttl.equals("unset")) {
            config.setString(GruOptions.STATE_TTL.key(), ttl);
        }
        List<String[]> records =
                KafkaJobFixture.readings(tiny.eventsAt(System.currentTimeMillis())).records;
        sensorJob.produce(records);

        // A local environment of its own, as bin/flink-gru job runs it (the state tools start
        // local environments too, which a MiniClusterExtension's test context would refuse).
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, config);
        GruKafkaPipeline.build(env, config, new SensorCodec(3));
        JobClient job = env.executeAsync("sensor job for a savepoint");
        KafkaTestIO.waitUntil(
                "all forecasts committed",
                Duration.ofSeconds(120),
                () -> sensorJob.output().size() >= records.size());
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                tmp.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS);
        assertThat(mentions(Path.of(java.net.URI.create(savepoint)), "TtlSerializerSnapshot"))
                .as("the states are in Flink's TTL wrapper exactly when the job has a TTL")
                .isEqualTo(!ttl.equals("unset"));

        Path out = tmp.resolve("states.csv");
        int exit =
                FlinkGruCli.run(
                        new String[] {
                            "state",
                            "export",
                            "--savepoint",
                            Path.of(java.net.URI.create(savepoint)).toString(),
                            "--out",
                            out.toString()
                        });
        assertThat(exit).isZero();
        StatesCsv.read(out).assertMatches(StatesCsv.read(tiny.dir.resolve("final_states.csv")));
    }

    /** Whether a file of the savepoint directory holds {@code text} (serializer snapshots do). */
    private static boolean mentions(Path dir, String text) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
                        .contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }
}
