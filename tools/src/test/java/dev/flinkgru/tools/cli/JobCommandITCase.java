package dev.flinkgru.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.jobs.testing.KafkaJobFixture;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.kafka.LocalKafkaExtension;
import dev.flinkgru.tools.command.LocalCluster;
import dev.flinkgru.tools.replay.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flink-gru job} as a user runs it, through the command line's entry point: a job that fails
 * on every record says why on each failure, gives up after the local runner's bounded restarts and
 * exits 1 with its cause; its checkpoints were on the file system under {@code --work-dir}.
 */
class JobCommandITCase {

    @RegisterExtension static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static final String RESTARTS = "flink-gru job: the job failed and restarts";
    private static final String GAVE_UP =
            "flink-gru job: the job failed (gave up after "
                    + LocalCluster.RESTART_ATTEMPTS
                    + " restarts): ";

    @TempDir Path work;

    /**
     * recommender-strict has embeddings for items 0..199 only and throws on any other id; every
     * event here names item 250, which {@code rec.items} 1000 lets through parsing. The model fails
     * on every row, and after {@code gru.predictor.max-failed-rows} rows in a row so does the job,
     * on every attempt (in arrival order: see the arguments).
     */
    @Test
    void aJobThatFailsOnEveryRecordStopsWithItsCauseAndExitCodeOne() throws IOException {
        TorchFixture model = TorchFixture.load("recommender-strict");
        KafkaJobFixture job = KafkaJobFixture.create(KAFKA, "fails-every-record");
        long now = System.currentTimeMillis();
        List<String[]> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String user = "u-" + (i % 20);
            records.add(
                    new String[] {
                        user,
                        String.format(
                                "{\"user\":\"%s\",\"item\":250,\"ts\":%d}",
                                user, now - 200_000 + i * 1_000L)
                    });
        }
        job.produce(records);

        CliRun run =
                CliRun.of(
                        "job",
                        "--work-dir",
                        work.toString(),
                        "recommendation",
                        "--kafka.bootstrap-servers",
                        job.servers(),
                        "--kafka.input-topic",
                        job.inputTopic(),
                        "--kafka.output-topic",
                        job.outputTopic(),
                        "--kafka.dead-letter-topic",
                        job.deadLetterTopic(),
                        "--kafka.group-id",
                        "fails-every-record",
                        "--kafka.transactional-id-prefix",
                        "fails-every-record",
                        "--gru.model.path",
                        model.dir.resolve("model.onnx").toString(),
                        "--gru.model.features",
                        Integer.toString(model.features),
                        "--gru.model.hidden-size",
                        Integer.toString(model.hidden),
                        "--gru.model.layers",
                        Integer.toString(model.layers),
                        "--rec.items",
                        "1000",
                        "--rec.top-k",
                        Integer.toString(model.topK),
                        "--gru.predictor.max-failed-rows",
                        "3",
                        "--job.parallelism",
                        "1",
                        "--job.checkpoint-interval",
                        "500ms",
                        // In arrival order every record reaches the model and fails it again on
                        // every attempt. In event-time order a checkpoint taken while the records
                        // wait for the watermark restores them at the topic's end, where no new
                        // record moves the watermark again: the job then waits, without failing.
                        "--gru.order",
                        "ARRIVAL");

        assertThat(run.exit).as("%s", run).isEqualTo(1);
        List<String> lines = run.stderr.lines().toList();
        List<String> failures = lines.stream().filter(l -> l.startsWith(RESTARTS)).toList();
        assertThat(failures)
                .as("one line per failure before the job gives up: %s", run)
                .hasSize(LocalCluster.RESTART_ATTEMPTS);
        String last = lines.get(lines.size() - 1);
        assertThat(last).as("the command's error, its last line").startsWith(GAVE_UP);
        String cause = last.substring(GAVE_UP.length());
        assertThat(cause)
                .as("the model's own error, not one of Flink's wrappers")
                .doesNotContain("JobExecutionException", "Recovery is suppressed")
                .containsAnyOf("250", "index out of range", "out of bounds");
        assertThat(failures)
                .as("each failure's cause, the same as the last one's")
                .containsOnly(
                        RESTARTS
                                + " (at most "
                                + LocalCluster.RESTART_ATTEMPTS
                                + " times): "
                                + cause);
        assertThat(lines).as("no stack trace").noneMatch(line -> line.startsWith("\tat "));
        assertThat(job.output()).as("no forecast of a failed row").isEmpty();

        try (Stream<Path> jobs = Files.list(work.resolve("job").resolve("checkpoints"))) {
            assertThat(jobs.filter(Files::isDirectory).toList())
                    .as("the job's checkpoint directory under --work-dir")
                    .hasSize(1);
        }
    }
}
