package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.RocksDBDefaults;
import dev.flinkgru.tools.command.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A measurement, not a test: the incremental checkpoints of a RocksDB state that holds many keys
 * while a small fraction of them is touched per interval. The operator (ONNX, B=1024, depth 2, as
 * {@link AsyncStateCeiling}'s {@code batched}) first steps every one of KEYS keys once, as fast as
 * it can, then RATE events a second of keys drawn uniformly for SECONDS; checkpoints every 5 s,
 * incremental, to a temporary directory. Prints every completed checkpoint (duration, size
 * uploaded, full size) and the medians of those after the fill.
 *
 * <p>{@code CheckpointChurn KEYS RATE SECONDS [key=value ...]}: the pairs go into the MiniCluster's
 * configuration, over the operator's RocksDB defaults ({@code key=} removes one).
 */
public final class CheckpointChurn {

    private CheckpointChurn() {}

    public static void main(String[] args) throws Exception {
        int keys = Integer.parseInt(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        Path checkpoints = Files.createTempDirectory("checkpoint-churn");
        Configuration flink = new Configuration();
        flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        flink.addAll(RocksDBDefaults.missingFrom(flink));
        CheckpointStatsReporter.checkpointInto(flink, checkpoints, Duration.ofSeconds(5));
        AsyncStateCeiling.setPairs(flink, args, 3);
        StreamExecutionEnvironment env =
                LocalCluster.environment("checkpoint churn", LocalCluster.network(flink));
        env.setParallelism(2);
        env.setBufferTimeout(5);
        long events = keys + (long) rate * seconds;
        AsyncStateCeiling.batchedOperator(
                        env.fromSource(
                                        new DataGeneratorSource<>(
                                                new FillThenTrickle(keys, rate),
                                                events,
                                                RateLimiterStrategy.noOp(),
                                                TypeInformation.of(GruEvent.class)),
                                        WatermarkStrategy.noWatermarks(),
                                        "events")
                                .setParallelism(1)
                                .keyBy(GruEvent::getKey),
                        64)
                .sinkTo(new BenchSink());
        BenchSink.reset();
        CheckpointStatsReporter.reset();
        env.execute("checkpoint churn");
        List<CheckpointStats.Checkpoint> all = CheckpointStatsReporter.recorded();
        for (int i = 0; i < all.size(); i++) {
            CheckpointStats.Checkpoint c = all.get(i);
            System.out.printf(
                    Locale.ROOT,
                    "checkpoint %d: %d ms, %.1f MiB uploaded, %.1f MiB full%n",
                    i + 1,
                    c.millis(),
                    c.bytes() / 1048576.0,
                    c.fullBytes() / 1048576.0);
        }
        // The fill takes the first few checkpoints: those before the full size stops growing fast.
        int first = 0;
        long full = all.isEmpty() ? 0 : all.get(all.size() - 1).fullBytes();
        while (first < all.size() && all.get(first).fullBytes() < full * 0.9) {
            first++;
        }
        List<CheckpointStats.Checkpoint> trickle =
                all.subList(Math.min(first + 1, all.size()), all.size());
        CheckpointStats stats = CheckpointStats.of(trickle);
        double mean =
                trickle.stream().mapToLong(CheckpointStats.Checkpoint::bytes).average().orElse(0);
        System.out.printf(
                Locale.ROOT,
                "%s: %d keys, %d/s for %d s: %d checkpoints after the fill: duration median %.0f ms,"
                        + " max %.0f ms; uploaded median %.1f MiB, mean %.1f MiB; full %.1f MiB%n",
                String.join(" ", List.of(args).subList(3, args.length)),
                keys,
                rate,
                seconds,
                stats.count(),
                stats.medianMillis(),
                stats.maxMillis(),
                stats.medianBytes() / 1048576.0,
                mean / 1048576.0,
                stats.fullBytes() / 1048576.0);
    }

    /** Event i < KEYS: each key once, scattered; after: RATE a second, of keys drawn uniformly. */
    static final class FillThenTrickle implements GeneratorFunction<Long, GruEvent> {
        private static final long serialVersionUID = 1L;
        private final int keys;
        private final int rate;
        private final BenchEvents features;
        private transient long trickleStart;

        FillThenTrickle(int keys, int rate) {
            this.keys = keys;
            this.rate = rate;
            this.features = new BenchEvents(KeyDistribution.parse("uniform", keys), 8);
        }

        @Override
        public GruEvent map(Long index) throws Exception {
            long i = index;
            GruEvent event = features.map(index);
            if (i < keys) {
                return event;
            }
            long now = System.nanoTime();
            if (trickleStart == 0) {
                trickleStart = now;
            }
            long due = trickleStart + (i - keys) * 1_000_000_000L / rate;
            if (due > now) {
                Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
            }
            long h = (i * 0x9E3779B97F4A7C15L) >>> 1;
            event.key = "k" + (h % keys);
            return event;
        }
    }
}
