package dev.flinkgru.tools.state;

import dev.flinkgru.state.FeatureHistory;
import dev.flinkgru.state.GruKeyedState;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.WaitingEvent;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.LocalCluster;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Reads every key's {@link HiddenState} (the value state {@value GruKeyedState#HIDDEN_STATE_NAME})
 * of the GRU operator from a savepoint, with the key's last events ({@value
 * GruKeyedState#HISTORY_STATE_NAME}, {@code gru.state.history}) where it has them, in a local batch
 * job of the State Processor API.
 *
 * <p>The descriptor has no TTL, and also reads the states of an operator that ran with {@code
 * gru.state.ttl} (each value in Flink's TTL wrapper, with the time of its last write): Flink 2.x
 * migrates TTL state into a descriptor without TTL on restore ({@code TtlAwareSerializer}), so the
 * reader need not know the job's TTL, and it returns every state the savepoint holds.
 */
final class HiddenStateReader {

    private HiddenStateReader() {}

    /** All keys' states, sorted by key. */
    static List<KeyedHiddenState> readAll(GruSavepoint savepoint) {
        List<KeyedHiddenState> states =
                read(
                        savepoint,
                        new ReadHiddenStates(),
                        TypeInformation.of(KeyedHiddenState.class),
                        "hidden states");
        states.sort(Comparator.comparing(KeyedHiddenState::getKey));
        return states;
    }

    /**
     * The events that wait in the savepoint for the watermark ({@code gru.order} EVENT_TIME), per
     * key that has any.
     */
    static List<Long> countWaiting(GruSavepoint savepoint) {
        return read(savepoint, new CountWaiting(), Types.LONG, "waiting events");
    }

    /**
     * What {@code function} emits for the keys of the savepoint's GRU operator, read in a local
     * job; a {@link CliException} naming {@code what} if it cannot be read.
     */
    private static <T> List<T> read(
            GruSavepoint savepoint,
            KeyedStateReaderFunction<String, T> function,
            TypeInformation<T> type,
            String what) {
        StreamExecutionEnvironment env =
                LocalCluster.environment(
                        "flink-gru state", LocalCluster.network(new Configuration()));
        env.setParallelism(1);
        List<T> out = new ArrayList<>();
        try {
            SavepointReader reader =
                    SavepointReader.read(
                            env, savepoint.path().toUri().toString(), new HashMapStateBackend());
            try (CloseableIterator<T> it =
                    reader.readKeyedState(
                                    OperatorIdentifier.forUid(savepoint.uid()),
                                    function,
                                    Types.STRING,
                                    type)
                            .executeAndCollect("flink-gru state read: " + what)) {
                it.forEachRemaining(out::add);
            }
        } catch (Exception e) {
            throw new CliException(
                    CliException.FAILURE,
                    "cannot read the "
                            + what
                            + " of operator '"
                            + savepoint.uid()
                            + "' in "
                            + savepoint.path()
                            + ": "
                            + GruSavepoint.firstLine(rootCause(e)),
                    e);
        }
        return out;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** Emits the number of waiting events of each key that has any. */
    private static final class CountWaiting extends KeyedStateReaderFunction<String, Long> {

        private static final long serialVersionUID = 1L;

        private transient ListState<WaitingEvent> waiting;

        @Override
        public void open(OpenContext openContext) {
            waiting = getRuntimeContext().getListState(GruKeyedState.waitingDescriptor());
        }

        @Override
        public void readKey(String key, Context context, Collector<Long> out) throws Exception {
            Iterable<WaitingEvent> events = waiting.get();
            long n = 0;
            if (events != null) {
                for (WaitingEvent ignored : events) {
                    n++;
                }
            }
            if (n > 0) {
                out.collect(n);
            }
        }
    }

    /** Emits the hidden state of each key that has one. */
    private static final class ReadHiddenStates
            extends KeyedStateReaderFunction<String, KeyedHiddenState> {

        private static final long serialVersionUID = 1L;

        private transient ValueState<HiddenState> state;
        private transient ValueState<FeatureHistory> history;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(GruKeyedState.hiddenStateDescriptor());
            history = getRuntimeContext().getState(GruKeyedState.historyDescriptor());
        }

        @Override
        public void readKey(String key, Context context, Collector<KeyedHiddenState> out)
                throws Exception {
            HiddenState value = state.value();
            if (value != null) {
                out.collect(new KeyedHiddenState(key, value).withHistory(history.value()));
            }
        }
    }
}
