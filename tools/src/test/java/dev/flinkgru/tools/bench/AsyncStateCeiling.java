package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruInference;
import dev.flinkgru.operator.GruOptions;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.RocksDBDefaults;
import dev.flinkgru.operator.predictor.BatchPredictors;
import dev.flinkgru.state.GruKeyedState;
import dev.flinkgru.state.HiddenState;
import dev.flinkgru.state.HiddenStateSerializer;
import dev.flinkgru.tools.command.LocalCluster;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.v2.ValueState;
import org.apache.flink.api.common.state.v2.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A measurement, not a test: the no-model ceiling (one read and one write of a key's state per
 * event, as {@link NoModelFunction}) through Flink's synchronous keyed-state API against the same
 * through the asynchronous one (State V2, {@code enableAsyncState}), on a backend of choice.
 *
 * <p>{@code batched} runs the operator itself (ONNX, B=1024, depth 2) instead.
 *
 * <p>{@code AsyncStateCeiling sync|async|batched BACKEND EVENTS KEYS [HIDDEN] [key=value ...]}:
 * BACKEND is hashmap, rocksdb or forst; the extra pairs go into the MiniCluster's configuration.
 */
public final class AsyncStateCeiling {

    private AsyncStateCeiling() {}

    public static void main(String[] args) throws Exception {
        boolean async = args[0].equals("async");
        boolean batched = args[0].equals("batched");
        String backend = args[1];
        long events = Long.parseLong(args[2]);
        int keys = Integer.parseInt(args[3]);
        int hidden = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        Configuration flink = new Configuration();
        flink.set(StateBackendOptions.STATE_BACKEND, backend);
        flink.addAll(RocksDBDefaults.missingFrom(flink));
        setPairs(flink, args, 5);
        StreamExecutionEnvironment env =
                LocalCluster.environment("async-state ceiling", LocalCluster.network(flink));
        env.setParallelism(2);
        env.setBufferTimeout(5);
        DataStream<GruEvent> source =
                env.fromSource(
                        new DataGeneratorSource<>(
                                new BenchEvents(KeyDistribution.parse("uniform", keys), 8),
                                events,
                                RateLimiterStrategy.noOp(),
                                TypeInformation.of(GruEvent.class)),
                        WatermarkStrategy.noWatermarks(),
                        "events");
        KeyedStream<GruEvent, String> keyed = source.keyBy(GruEvent::getKey);
        DataStream<GruPrediction> out;
        if (batched) {
            out = batchedOperator(keyed, hidden);
        } else {
            out =
                    async
                            ? keyed.enableAsyncState().process(new AsyncNoModel(hidden))
                            : keyed.process(new NoModelFunction(hidden));
        }
        out.sinkTo(new BenchSink());
        BenchSink.reset();
        long start = System.nanoTime();
        env.execute("ceiling");
        System.out.printf(
                Locale.ROOT,
                "%s %s events %,d keys %,d H=%d: %,.0f events/s (wall %.1f s), %,d out%n",
                args[0],
                backend,
                events,
                keys,
                hidden,
                BenchSink.eventsPerSecond(),
                (System.nanoTime() - start) / 1e9,
                BenchSink.COUNT.get());
    }

    /**
     * Puts {@code args[from..]}, each {@code key=value}, into {@code flink}; {@code key=} removes.
     */
    static void setPairs(Configuration flink, String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String key = args[i].substring(0, eq);
            String value = args[i].substring(eq + 1);
            if (value.isEmpty()) {
                flink.removeKey(key); // "key=": without it (e.g. without one of the defaults)
            } else {
                flink.setString(key, value);
            }
        }
    }

    /** The operator as the bench's batched run has it: ONNX, B=1024, depth 2, the bench model. */
    static DataStream<GruPrediction> batchedOperator(
            KeyedStream<GruEvent, String> keyed, int hidden) {
        Configuration options = new Configuration();
        options.set(GruOptions.MODEL_PATH, "models/bench/gru-f8-h" + hidden + ".onnx");
        options.set(GruOptions.MODEL_HIDDEN_SIZE, hidden);
        options.set(GruOptions.MODEL_LAYERS, 1);
        options.set(GruOptions.PREDICTOR_BACKEND, "onnx");
        options.set(GruOptions.PREDICTOR_WARM_UP, true);
        return GruInference.builder()
                .setPredictor(BatchPredictors.fromConfiguration(options))
                .setInputSize(8)
                .optMaxBatchSize(1024)
                .optMaxDelay(Duration.ofMillis(10))
                .optPipelineDepth(2)
                .build()
                .apply(keyed);
    }

    /** {@link NoModelFunction} through State V2. */
    static final class AsyncNoModel extends KeyedProcessFunction<String, GruEvent, GruPrediction> {
        private static final long serialVersionUID = 1L;
        private final int stateSize;
        private transient ValueState<HiddenState> state;

        AsyncNoModel(int stateSize) {
            this.stateSize = stateSize;
        }

        @Override
        public void open(OpenContext context) {
            state =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            GruKeyedState.HIDDEN_STATE_NAME,
                                            HiddenStateSerializer.INSTANCE));
        }

        @Override
        public void processElement(GruEvent event, Context ctx, Collector<GruPrediction> out) {
            state.asyncValue()
                    .thenCompose(
                            current -> {
                                HiddenState next =
                                        current != null ? current : HiddenState.zero(stateSize, 0L);
                                float[] values = next.values();
                                values[0] += event.features[0];
                                next.advance(values, 0, event.timestamp);
                                out.collect(
                                        new GruPrediction(
                                                event.key,
                                                event.timestamp,
                                                event.eventId,
                                                new float[] {values[0]},
                                                next.steps(),
                                                0L));
                                return state.asyncUpdate(next);
                            });
        }
    }
}
