package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.GruEvent;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The benchmark stream: event i belongs to the key its {@link KeyDistribution} gives (uniform: key
 * {@code (i · 2654435761) mod keys}, a scattered order, every key equally often; or Zipf) and has F
 * cheap pseudo-random features. The event id is the {@link System#nanoTime()} of its generation, so
 * the sink can measure event→output latency.
 */
final class BenchEvents implements GeneratorFunction<Long, GruEvent> {

    private static final long serialVersionUID = 1L;

    private final KeyDistribution keys;
    private final int features;

    BenchEvents(KeyDistribution keys, int features) {
        this.keys = keys;
        this.features = features;
    }

    @Override
    public GruEvent map(Long index) {
        long i = index;
        int key = keys.key(i);
        float[] x = new float[features];
        long bits = i * 0x9E3779B97F4A7C15L;
        for (int f = 0; f < features; f++) {
            bits ^= bits >>> 29;
            bits *= 0xBF58476D1CE4E5B9L;
            x[f] = ((bits >>> 40) & 0xFFFF) / 32768f - 1f;
        }
        // The key's name is made per event: a table of 10^7 names would fill the heap.
        return new GruEvent("k" + key, System.currentTimeMillis(), System.nanoTime(), x);
    }
}
