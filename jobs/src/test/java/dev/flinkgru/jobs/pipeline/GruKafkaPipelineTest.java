package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.jobs.sensor.SensorCodec;
import dev.flinkgru.jobs.sensor.SensorForecastJob;
import dev.flinkgru.operator.GruEventSerializer;
import dev.flinkgru.operator.testing.TorchFixture;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** What the pipeline sets on its environment, besides its operators. */
class GruKafkaPipelineTest {

    private static final TorchFixture TINY = TorchFixture.load("tiny");

    @Test
    void checkpointsAreIncrementalUnlessTheJobSaysOtherwise() {
        assertThat(incrementalCheckpoints()).as("by default").isTrue();
        assertThat(incrementalCheckpoints("--job.checkpoint-incremental", "false")).isFalse();
    }

    @Test
    void stateBackendIsTheClustersUnlessTheJobChoosesOne() {
        assertThat(built().getConfiguration().getOptional(StateBackendOptions.STATE_BACKEND))
                .as("by default")
                .isEmpty();
        assertThat(
                        built("--job.state-backend", "rocksdb")
                                .getConfiguration()
                                .get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("rocksdb");
        assertThat(
                        built("--job.state-backend", "HASHMAP")
                                .getConfiguration()
                                .get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("hashmap");
        assertThatThrownBy(() -> built("--job.state-backend", "memory"))
                .hasMessageContaining("memory");
    }

    /** The parsed events reach the operator through the keyBy with their own serializer. */
    @Test
    void theEventsCrossTheKeyByWithTheirOwnSerializer() {
        StreamNode operator =
                built().getStreamGraph().getStreamNodes().stream()
                        .filter(node -> "gru-operator".equals(node.getTransformationUID()))
                        .findFirst()
                        .orElseThrow();
        assertThat(operator.getTypeSerializersIn()).containsExactly(GruEventSerializer.INSTANCE);
    }

    private static boolean incrementalCheckpoints(String... extra) {
        return built(extra).getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS);
    }

    private static StreamExecutionEnvironment built(String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--kafka.broker-checks", "false",
                                "--gru.model.path", TINY.model().toString(),
                                "--gru.model.features", Integer.toString(TINY.features),
                                "--gru.model.hidden-size", Integer.toString(TINY.hidden),
                                "--gru.model.layers", Integer.toString(TINY.layers)));
        args.addAll(List.of(extra));
        Configuration config =
                JobSettings.parse(SensorForecastJob.DEFAULTS, args.toArray(String[]::new));
        StreamExecutionEnvironment env = new StreamExecutionEnvironment();
        GruKafkaPipeline.build(env, config, new SensorCodec(TINY.features));
        return env;
    }
}
