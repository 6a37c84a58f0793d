package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.predictor.BatchPredictor;
import dev.flinkgru.operator.predictor.BatchPredictorFactory;
import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.operator.testing.GaugeWatcher;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Overload: events offered at ten times what a deliberately slow model can take. The buffer must
 * stay within its cap, the source must show back-pressure, and once the input ends the backlog must
 * drain with every event predicted once, in per-key order.
 */
class OverloadITCase {

    private static final int MAX_BATCH = 8;
    private static final int DEPTH = 2;

    /** The buffer's cap: a batch per batch that may be in flight. */
    private static final int CAP = MAX_BATCH * DEPTH;

    private static final long STEP_MILLIS = 2; // the slow model: 8 rows per 2 ms ≈ 4,000 events/s
    private static final int EVENTS = 40_000;
    private static final double OFFERED_PER_SECOND = 40_000; // ten times the capacity

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .setConfiguration(reporting())
                            .build());

    private static Configuration reporting() {
        Configuration config = new Configuration();
        config.setString(
                "metrics.reporter.watch.factory.class", GaugeWatcher.Factory.class.getName());
        return config;
    }

    /** The counting fake, with every step taking {@link #STEP_MILLIS} like a slow model. */
    static final class SlowModel implements BatchPredictorFactory {
        private static final long serialVersionUID = 1L;
        private final CountingPredictorFactory counting = new CountingPredictorFactory("slow", 1L);

        @Override
        public BatchPredictor open(int inputSize, int maxBatchSize) {
            BatchPredictor fast = counting.open(inputSize, maxBatchSize);
            return new BatchPredictor() {
                @Override
                public dev.flinkgru.operator.predictor.ModelShape shape() {
                    return fast.shape();
                }

                @Override
                public void step(int batch, float[] x, float[] h, float[] y, float[] hNext)
                        throws Exception {
                    Thread.sleep(STEP_MILLIS); // simulated inference time, not synchronization
                    fast.step(batch, x, h, y, hNext);
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public String explain() {
            return "slow fake model";
        }
    }

    /** Event i of key i mod 500, x = 1. */
    static final class Events implements GeneratorFunction<Long, GruEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public GruEvent map(Long i) {
            return new GruEvent("k" + (i % 500), i, i, new float[] {1f});
        }
    }

    @Test
    void tenTimesTheCapacityIsBackPressuredAndDrains() throws Exception {
        GaugeWatcher.clear();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        var predictions =
                GruInference.builder()
                        .setPredictor(new SlowModel())
                        .setInputSize(1)
                        .optMaxBatchSize(MAX_BATCH)
                        .optMaxDelay(Duration.ofMillis(5))
                        .optPipelineDepth(DEPTH)
                        .build()
                        .apply(
                                env.fromSource(
                                                new DataGeneratorSource<>(
                                                        new Events(),
                                                        EVENTS,
                                                        RateLimiterStrategy.perSecond(
                                                                OFFERED_PER_SECOND),
                                                        TypeInformation.of(GruEvent.class)),
                                                WatermarkStrategy.noWatermarks(),
                                                "offered load")
                                        .keyBy(GruEvent::getKey));

        double maxBackPressure = 0;
        double maxBuffered = 0;
        long received = 0;
        Map<String, Long> lastSteps = new HashMap<>();
        try (CloseableIterator<GruPrediction> it = predictions.executeAndCollect("overload")) {
            while (it.hasNext()) {
                GruPrediction p = it.next();
                received++;
                long previous = lastSteps.getOrDefault(p.key, 0L);
                assertThat(p.steps).as("steps of %s", p.key).isEqualTo(previous + 1);
                assertThat(p.output[0]).isEqualTo((float) p.steps);
                lastSteps.put(p.key, p.steps);
                if (received % 200 == 0) {
                    maxBackPressure =
                            Math.max(
                                    maxBackPressure,
                                    GaugeWatcher.max("backPressuredTimeMsPerSecond"));
                    maxBuffered = Math.max(maxBuffered, GaugeWatcher.max("bufferedEvents"));
                }
            }
        }

        System.out.printf(
                "overload: %d events offered at %.0f/s, %d predicted, largest buffer %.0f (cap %d),"
                        + " source back-pressure up to %.0f ms/s%n",
                EVENTS, OFFERED_PER_SECOND, received, maxBuffered, CAP, maxBackPressure);
        assertThat(received).as("every offered event predicted once").isEqualTo(EVENTS);
        // Sampled while the job runs, the buffer never holds more than its cap (it flushes on
        // reaching it; a sample may also catch it empty). The harness test checks every event.
        assertThat(maxBuffered).as("largest buffer seen").isBetween(0.0, (double) CAP);
        assertThat(CountingPredictorFactory.batches("slow")).allMatch(b -> b <= MAX_BATCH);
        assertThat(maxBackPressure)
                .as("back-pressure of the source, ms per second")
                .isGreaterThan(500);
    }
}
