package dev.flinkgru.tools.bench;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A measurement, not a test: the share of the bench's events whose key came before within the same
 * window of WINDOW events, a window standing for a checkpoint interval. That share is what a
 * write-back cache of keys' states, flushed into keyed state before each barrier, would save of the
 * state backend's reads and writes; the rest are a key's first event of the interval.
 *
 * <p>{@code RepeatedKeys DISTRIBUTION KEYS EVENTS WINDOW}, DISTRIBUTION as the bench's {@code
 * --key-distribution} ({@code uniform} or {@code zipf:S}), over the same key sequence as the
 * bench's events.
 */
public final class RepeatedKeys {

    private RepeatedKeys() {}

    public static void main(String[] args) {
        int keys = Integer.parseInt(args[1]);
        KeyDistribution distribution = KeyDistribution.parse(args[0], keys);
        long events = Long.parseLong(args[2]);
        long window = Long.parseLong(args[3]);
        Set<Integer> seen = new HashSet<>();
        long repeated = 0;
        for (long i = 0; i < events; i++) {
            if (i % window == 0) {
                seen.clear();
            }
            if (!seen.add(distribution.key(i))) {
                repeated++;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%s, %,d keys, %,d events in windows of %,d: %.1f%% of the events repeat a key"
                        + " of their window%n",
                distribution,
                keys,
                events,
                window,
                100.0 * repeated / events);
    }
}
