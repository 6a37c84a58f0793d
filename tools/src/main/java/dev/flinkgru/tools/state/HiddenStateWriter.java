package dev.flinkgru.tools.state;

import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import dev.flinkgru.state.FeatureHistory;
import dev.flinkgru.state.GruKeyedState;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.HiddenStateSerializer;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.LocalCluster;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Writes hidden states into a new savepoint as the keyed state of an operator uid: the value state
 * {@value GruKeyedState#HIDDEN_STATE_NAME} with {@link HiddenStateSerializer}, keyed by String, and
 * the keys' last events ({@value GruKeyedState#HISTORY_STATE_NAME}) where they have them, exactly
 * as the GRU operator keeps them, so its jobs start from them.
 */
final class HiddenStateWriter {

    /** Kryo's serializer that writes a value with Java serialization (a raw type in Kryo). */
    @SuppressWarnings("unchecked")
    private static final Class<? extends Serializer<?>> JAVA_SERIALIZER =
            (Class<? extends Serializer<?>>) (Class<?>) JavaSerializer.class;

    private HiddenStateWriter() {}

    /** How a job's {@link SavepointWriter} starts: a new savepoint, or a copy of one. */
    @FunctionalInterface
    private interface Start {
        SavepointWriter writer(StreamExecutionEnvironment env, OperatorIdentifier operator)
                throws Exception;
    }

    /** Writes {@code states} to the new savepoint directory {@code target}, in a local job. */
    static void write(List<KeyedHiddenState> states, Path target, String uid, int maxParallelism) {
        write(
                states,
                target,
                uid,
                "flink-gru state bootstrap",
                (env, operator) ->
                        SavepointWriter.newSavepoint(
                                env, new HashMapStateBackend(), maxParallelism));
    }

    /**
     * Writes the savepoint {@code base} again to {@code target}, with operator {@code uid}'s keyed
     * state replaced by {@code states}; every other operator's state (a Kafka source's offsets, a
     * sink's transactions) is kept as it is.
     */
    static void rewrite(List<KeyedHiddenState> states, Path base, Path target, String uid) {
        write(
                states,
                target,
                uid,
                "flink-gru state rewarm",
                (env, operator) -> {
                    // fromExistingSavepoint hands the savepoint's other OperatorStates to its job
                    // as records, by default through Kryo, which fails on a private class inside
                    // them (InflightDataRescalingDescriptor$NoRescalingDescriptor, an
                    // IllegalAccessError). They are Serializable: Kryo's JavaSerializer writes
                    // them as Java serialization does.
                    ((SerializerConfigImpl) env.getConfig().getSerializerConfig())
                            .addDefaultKryoSerializer(OperatorState.class, JAVA_SERIALIZER);
                    return SavepointWriter.fromExistingSavepoint(
                                    env,
                                    base.toAbsolutePath().toUri().toString(),
                                    new HashMapStateBackend())
                            .removeOperator(operator);
                });
    }

    private static void write(
            List<KeyedHiddenState> states, Path target, String uid, String jobName, Start start) {
        StreamExecutionEnvironment env =
                LocalCluster.environment(
                        "flink-gru state", LocalCluster.network(new Configuration()));
        env.setParallelism(1);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        // Without object reuse, Flink 2.2 copies the writer's OperatorSubtaskStates between its
        // chained reduce operators with Kryo, and the copies come out empty: the savepoint then
        // names the operator but holds no state. Nothing here keeps a reference to a record.
        env.getConfig().enableObjectReuse();
        try {
            OperatorIdentifier operator = OperatorIdentifier.forUid(uid);
            SavepointWriter writer = start.writer(env, operator);
            DataStream<KeyedHiddenState> data =
                    env.fromData(states, TypeInformation.of(KeyedHiddenState.class));
            StateBootstrapTransformation<KeyedHiddenState> transformation =
                    OperatorTransformation.bootstrapWith(data)
                            .keyBy(KeyedHiddenState::getKey, Types.STRING)
                            .transform(new WriteHiddenStates());
            writer.withOperator(operator, transformation)
                    .write(target.toAbsolutePath().toUri().toString());
            env.execute(jobName);
        } catch (Exception e) {
            throw new CliException(
                    CliException.FAILURE,
                    "cannot write the savepoint " + target + ": " + GruSavepoint.firstLine(e),
                    e);
        }
    }

    /** Sets each key's state. */
    private static final class WriteHiddenStates
            extends KeyedStateBootstrapFunction<String, KeyedHiddenState> {

        private static final long serialVersionUID = 1L;

        private transient ValueState<HiddenState> state;
        private transient ValueState<FeatureHistory> history;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(GruKeyedState.hiddenStateDescriptor());
            history = getRuntimeContext().getState(GruKeyedState.historyDescriptor());
        }

        @Override
        public void processElement(KeyedHiddenState value, Context context) throws Exception {
            state.update(value.toHiddenState());
            FeatureHistory events = value.toFeatureHistory();
            if (events != null) {
                history.update(events);
            }
        }
    }
}
