package dev.flinkgru.operator.testing;

import java.time.Duration;

/**
 * Realistic event times for fixture events, in place of their row numbers: every third key
 * backfills its history from six years before {@code now} (one event a minute), the other keys are
 * live (one event a second, the last event of the file at {@code now}). Within a key the times rise
 * with seq, as the fixture's per-key order does.
 */
public final class EventTimes {

    /** How far back the backfilled keys start. */
    public static final Duration BACKFILL = Duration.ofDays(6 * 365);

    private EventTimes() {}

    /** The event time of event {@code seq} (of {@code events}) of {@code key}. */
    public static long of(String key, long seq, long events, long now) {
        return isBackfilled(key)
                ? now - BACKFILL.toMillis() + seq * 60_000
                : now - (events - 1 - seq) * 1_000;
    }

    /** Whether {@code key}'s events are history, years old. */
    public static boolean isBackfilled(String key) {
        return Math.floorMod(key.hashCode(), 3) == 0;
    }
}
