package dev.flinkgru.tools.bench;

import dev.flinkgru.operator.GruEvent;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The benchmark stream: event i belongs to key {@code (i · 2654435761) mod keys} (a scattered
 * order, every key equally often) and has F cheap pseudo-random features. The event id is the
 * {@link System#nanoTime()} of its generation, so the sink can measure event→output latency.
 */
final class BenchEvents implements GeneratorFunction<Long, GruEvent> {

    private static final long serialVersionUID = 1L;

    private final int keys;
    private final int features;
    private transient String[] keyNames;

    BenchEvents(int keys, int features) {
        this.keys = keys;
        this.features = features;
    }

    @Override
    public GruEvent map(Long index) {
        if (keyNames == null) {
            keyNames = new String[keys];
            for (int k = 0; k < keys; k++) {
                keyNames[k] = "k" + k;
            }
        }
        long i = index;
        int key = (int) Math.floorMod(i * 2654435761L, (long) keys);
        float[] x = new float[features];
        long bits = i * 0x9E3779B97F4A7C15L;
        for (int f = 0; f < features; f++) {
            bits ^= bits >>> 29;
            bits *= 0xBF58476D1CE4E5B9L;
            x[f] = ((bits >>> 40) & 0xFFFF) / 32768f - 1f;
        }
        return new GruEvent(keyNames[key], System.currentTimeMillis(), System.nanoTime(), x);
    }
}
