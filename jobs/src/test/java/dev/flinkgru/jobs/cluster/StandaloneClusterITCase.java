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
 * with SIGKILL and the broker restarted mid-run: {@link ClusterTest}, the same run as {@code
 * docker/cluster-test.sh}. On top of its own checks, every forecast it read back is compared with
 * torch's through the operator's test fixtures.
 */
class StandaloneClusterITCase {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    @Test
    void jobJarOnAStandaloneClusterSurvivesAKillAndABrokerRestartExactlyOnce() throws Exception {
        Path workDir = Files.createTempDirectory("flink-gru-cluster-itcase-");
        ClusterTest.Options options = ClusterTest.Options.fromRoot(ClusterTest.findRoot(), workDir);

        ClusterTest.Result result = ClusterTest.run(options);

        assertThat(result.passed()).as(result.line()).isTrue();
        assertThat(result.line()).startsWith("cluster-test: PASS events=");
        assertThat(result.taskManagerKills()).as("TaskManagers killed").isEqualTo(1);
        assertThat(result.brokerRestarts()).as("broker restarts").isEqualTo(1);
        assertThat(result.restarts()).as("job restarts").isPositive();
        Map<Long, float[]> expected = TINY.expected();
        assertThat(result.eventsPerRound()).isEqualTo(expected.size());
        assertThat(result.events())
                .as("readings produced: more than one round of the fixture")
                .isGreaterThan(expected.size());
        assertThat(result.predictions()).as("forecasts read back").isEqualTo(result.events());
        assertThat(result.duplicates()).as("duplicates").isZero();
        assertThat(result.missing()).as("missing").isZero();
        assertThat(result.deadLetters()).as("dead letters").isZero();
        assertThat(result.forecasts()).as("one forecast per reading").hasSize(result.events());
        for (Map.Entry<Long, float[]> e : result.forecasts().entrySet()) {
            assertThat(e.getKey()).isBetween(0L, result.events() - 1L);
            Tolerance.assertClose(
                    "forecast of reading " + e.getKey(),
                    e.getValue(),
                    expected.get(e.getKey() % expected.size()),
                    TINY.outputs);
        }
        assertThat(workDir).as("work directory removed after a pass").doesNotExist();
    }
}
