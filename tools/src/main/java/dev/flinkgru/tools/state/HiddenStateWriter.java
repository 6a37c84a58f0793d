package dev.flinkgru.tools.state;

import dev.flinkgru.operator.GruOperator;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.HiddenStateSerializer;
import dev.flinkgru.tools.command.CliException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
 * {@value GruOperator#STATE_NAME} with {@link HiddenStateSerializer}, keyed by String, exactly as
 * the GRU operator keeps it, so its jobs start from them.
 */
final class HiddenStateWriter {

    private HiddenStateWriter() {}

    /** Writes {@code states} to the new savepoint directory {@code target}, in a local job. */
    static void write(List<KeyedHiddenState> states, Path target, String uid, int maxParallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        // Without object reuse, Flink 2.2 copies the writer's OperatorSubtaskStates between its
        // chained reduce operators with Kryo, and the copies come out empty: the savepoint then
        // names the operator but holds no state. Nothing here keeps a reference to a record.
        env.getConfig().enableObjectReuse();
        DataStream<KeyedHiddenState> data =
                env.fromData(states, TypeInformation.of(KeyedHiddenState.class));
        StateBootstrapTransformation<KeyedHiddenState> transformation =
                OperatorTransformation.bootstrapWith(data)
                        .keyBy(KeyedHiddenState::getKey, Types.STRING)
                        .transform(new WriteHiddenStates());
        try {
            SavepointWriter.newSavepoint(env, new HashMapStateBackend(), maxParallelism)
                    .withOperator(OperatorIdentifier.forUid(uid), transformation)
                    .write(target.toAbsolutePath().toUri().toString());
            env.execute("flink-gru state bootstrap");
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

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(GruOperator.hiddenStateDescriptor());
        }

        @Override
        public void processElement(KeyedHiddenState value, Context context) throws Exception {
            state.update(value.toHiddenState());
        }
    }
}
