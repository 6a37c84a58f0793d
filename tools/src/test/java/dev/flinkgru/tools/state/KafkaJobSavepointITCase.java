package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.pipeline.JobSettings;
import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import dev.flinkgru.operator.GruEvent;
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
import java.util.ArrayList;
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
        String name = ttl.equals("unset") ? "sp" : "sp-ttl";
        KAFKA.createTopics(name + "-in", name + "-out", name + "-dlq");
        Configuration config =
                JobSettings.parse(
                        SensorForecastJob.DEFAULTS,
                        new String[] {
                            "--kafka.bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--kafka.input-topic",
                            name + "-in",
                            "--kafka.output-topic",
                            name + "-out",
                            "--kafka.dead-letter-topic",
                            name + "-dlq",
                            "--kafka.group-id",
                            name,
                            "--kafka.transactional-id-prefix",
                            name,
                            "--job.parallelism",
                            "2",
                            "--job.checkpoint-interval",
                            "300ms",
                            "--gru.model.features",
                            "3",
                            "--gru.model.path",
                            tiny.model().toString(),
                            "--gru.model.hidden-size",
                            "8",
                            "--gru.model.layers",
                            "2"
                        });
        if (!ttl.equals("unset")) {
            config.setString(GruOptions.STATE_TTL.key(), ttl);
        }
        List<String[]> records = new ArrayList<>();
        for (GruEvent e : tiny.eventsAt(System.currentTimeMillis())) {
            records.add(
                    new String[] {
                        e.key,
                        String.format(
                                "{\"sensor\":\"%s\",\"ts\":%d,\"values\":[%s,%s,%s]}",
                                e.key, e.timestamp, e.features[0], e.features[1], e.features[2])
                    });
        }
        KafkaTestIO.produce(KAFKA.bootstrapServers(), name + "-in", records);

        // A local environment of its own, as bin/flink-gru job runs it (the state tools start
        // local environments too, which a MiniClusterExtension's test context would refuse).
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, config);
        GruKafkaPipeline.build(env, config, new SensorCodec(3));
        JobClient job = env.executeAsync("sensor job for a savepoint");
        KafkaTestIO.waitUntil(
                "all forecasts committed",
                Duration.ofSeconds(120),
                () ->
                        KafkaTestIO.readCommitted(KAFKA.bootstrapServers(), name + "-out").size()
                                >= records.size());
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
