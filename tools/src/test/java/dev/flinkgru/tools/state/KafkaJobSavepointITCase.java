package dev.flinkgru.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.jobs.testing.KafkaJobFixture;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.state.ModelFingerprint;
import dev.flinkgru.testing.kafka.KafkaTestIO;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import dev.flinkgru.tools.cli.FlinkGruCli;
import dev.flinkgru.tools.io.ReplaySavepoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The state tools on savepoints written by the Kafka sensor job (not by replay): {@code state
 * export} of the states after the fixture's whole stream equals torch's final states, with and
 * without {@code gru.state.ttl} (states in Flink's TTL wrapper); {@code state rewarm} of a
 * savepoint taken mid-stream under model A gives a savepoint the job resumes from under model B, at
 * the Kafka offsets where it stopped.
 */
class KafkaJobSavepointITCase {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension().withPartitions(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    @ParameterizedTest(name = "gru.state.ttl {0}, job.state-backend {1}")
    @CsvSource({"unset, unset", "1 h, unset", "unset, rocksdb"})
    void aSavepointOfTheSensorJobExportsTorchsFinalStates(String ttl, String backend)
            throws Exception {
        TorchFixture tiny = TorchFixture.load("tiny");
        KafkaJobFixture sensorJob =
                KafkaJobFixture.create(
                        KAFKA,
                        "sp"
                                + (ttl.equals("unset") ? "" : "-ttl")
                                + (backend.equals("unset") ? "" : "-" + backend));
        KafkaJobFixture.Options options =
                sensorJob
                        .sensorJob()
                        .model(tiny)
                        .with("--job.parallelism", "2", "--job.checkpoint-interval", "300ms")
                        // Records keyed by sensor, years-old and live sensors mixed: event time
                        // would call the old ones late.
                        .with("--gru.order", "ARRIVAL");
        if (!backend.equals("unset")) {
            // On RocksDB with the operator's defaults: its canonical savepoint is what the state
            // tools read, whatever backend wrote it.
            options.with("--job.state-backend", backend);
        }
        Configuration config = options.configuration();
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

    @Test
    void aRewarmedSavepointOfTheSensorJobResumesWhereItStoppedUnderTheNewModel() throws Exception {
        TorchFixture set = TorchFixture.load("rollout");
        int split = set.intProperty("split");
        KafkaJobFixture sensorJob = KafkaJobFixture.create(KAFKA, "sp-rewarm");
        KafkaJobFixture.Feed feed =
                KafkaJobFixture.readings(set.eventsAt(System.currentTimeMillis()));
        sensorJob.produce(feed.records.subList(0, split));
        JobClient underA =
                start(
                        sensorJob,
                        set,
                        "model-a.pt",
                        null,
                        "--gru.state.history",
                        Integer.toString(set.intProperty("history")));
        KafkaTestIO.waitUntil(
                "model A's forecasts committed",
                Duration.ofSeconds(120),
                () -> sensorJob.output().size() >= split);
        String savepoint = stop(underA, "under-a");

        Path rewarmed = tmp.resolve("rewarmed");
        int exit =
                FlinkGruCli.run(
                        new String[] {
                            "state",
                            "rewarm",
                            "--savepoint",
                            Path.of(java.net.URI.create(savepoint)).toString(),
                            "--model",
                            set.dir.resolve("model-b.pt").toString(),
                            "--hidden-size",
                            Integer.toString(set.hidden),
                            "--layers",
                            Integer.toString(set.layers),
                            "--out",
                            rewarmed.toString()
                        });
        assertThat(exit).isZero();

        sensorJob.produce(feed.records.subList(split, feed.records.size()));
        JobClient underB =
                start(
                        sensorJob,
                        set,
                        "model-b.pt",
                        ReplaySavepoint.load(rewarmed).savepoint().toUri().toString(),
                        // Another consumer group, so no committed offsets: where the source
                        // starts comes from its state in the savepoint alone.
                        "--kafka.group-id",
                        "sp-rewarm-b");
        KafkaTestIO.waitUntil(
                "model B's forecasts committed",
                Duration.ofSeconds(120),
                () -> sensorJob.output().size() >= feed.records.size());
        stop(underB, "under-b");

        // Had the savepoint lost the source's offsets, it would read from the earliest: duplicates.
        Map<Long, float[]> expected = set.expected("expected-rewarm.csv");
        String a = ModelFingerprint.toHex(ModelFingerprint.of(set.dir.resolve("model-a.pt")));
        String b = ModelFingerprint.toHex(ModelFingerprint.of(set.dir.resolve("model-b.pt")));
        Map<Long, float[]> got = new HashMap<>();
        for (ConsumerRecord<String, String> record : sensorJob.output()) {
            JsonNode forecast = JSON.readTree(record.value());
            Long seq = feed.seqOf(forecast.get("sensor").asText(), forecast.get("ts").asLong());
            assertThat(seq).as("the reading of %s", record.value()).isNotNull();
            assertThat(forecast.get("model").asText())
                    .as("model of seq %s", seq)
                    .isEqualTo(seq < split ? a : b);
            float[] values = new float[forecast.get("forecast").size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) forecast.get("forecast").get(i).asDouble();
            }
            assertThat(got.put(seq, values)).as("a second forecast of seq %s", seq).isNull();
        }
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            Tolerance.assertClose(
                    "forecast of seq " + e.getKey(),
                    got.get(e.getKey()),
                    e.getValue(),
                    set.outputs);
        }
    }

    /** The sensor job under {@code model}, from {@code savepoint} if not null. */
    private JobClient start(
            KafkaJobFixture sensorJob,
            TorchFixture set,
            String model,
            String savepoint,
            String... more)
            throws Exception {
        Configuration config =
                sensorJob
                        .sensorJob()
                        .model(set, set.dir.resolve(model))
                        .with("--job.parallelism", "2", "--job.checkpoint-interval", "300ms")
                        // Records keyed by sensor, years-old and live sensors mixed: event time
                        // would call the old ones late.
                        .with("--gru.order", "ARRIVAL")
                        .with(more)
                        .configuration();
        if (savepoint != null) {
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, config);
        GruKafkaPipeline.build(env, config, new SensorCodec(set.features));
        return env.executeAsync("sensor job under " + model);
    }

    private String stop(JobClient job, String name) throws Exception {
        return job.stopWithSavepoint(
                        false, tmp.resolve(name).toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);
    }
}
