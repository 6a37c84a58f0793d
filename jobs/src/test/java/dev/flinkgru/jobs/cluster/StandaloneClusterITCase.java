package dev.flinkgru.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.Tolerance;
import dev.flinkgru.operator.testing.TorchFixture;
import dev.flinkgru.testing.cluster.ClusterTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar on a real Flink standalone cluster (JobManager and TaskManagers as JVMs of
 * their own, submitted through the REST API) against a real Kafka broker, one TaskManager killed
 * with SIGKILL mid-run: {@link ClusterTest}, the same run as {@code docker/cluster-test.sh}. On top
 * of its own checks, the forecasts it read back are compared with torch's through the operator's
 * test fixtures.
 */
class StandaloneClusterITCase {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    @Test
    void jobJarOnAStandaloneClusterSurvivesAKilledTaskManagerExactlyOnce() throws Exception {
        Path workDir = Files.createTempDirectory("flink-gru-cluster-itcase-");
        ClusterTest.Options options = ClusterTest.Options.fromRoot(ClusterTest.findRoot(), workDir);

        ClusterTest.Result result = ClusterTest.run(options);

        assertThat(result.passed()).as(result.line()).isTrue();
        assertThat(result.line()).startsWith("cluster-test: PASS events=");
        assertThat(result.taskManagerKills()).as("TaskManagers killed").isEqualTo(1);
        assertThat(result.restarts()).as("job restarts").isPositive();
        Map<Long, float[]> expected = TINY.expected();
        assertThat(result.events()).as("events produced").isEqualTo(expected.size());
        assertThat(result.predictions()).as("forecasts read back").isEqualTo(expected.size());
        assertThat(result.duplicates()).as("duplicates").isZero();
        assertThat(result.missing()).as("missing").isZero();
        assertThat(result.deadLetters()).as("dead letters").isZero();
        assertThat(result.forecasts().keySet())
                .as("one forecast per event")
                .isEqualTo(expected.keySet());
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            Tolerance.assertClose(
                    "forecast of event " + e.getKey(),
                    result.forecasts().get(e.getKey()),
                    e.getValue(),
                    TINY.outputs);
        }
        assertThat(workDir).as("work directory removed after a pass").doesNotExist();
    }
}
