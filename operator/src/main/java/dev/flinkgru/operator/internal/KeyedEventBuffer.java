package dev.flinkgru.operator.internal;

import dev.flinkgru.operator.GruEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Buffered events per key, in arrival order. {@link #pollRound} takes the oldest pending event of
 * every key at once: round r holds each key's r-th pending event, so no key appears twice in a
 * round and each key's events leave in the order they came.
 *
 * <p>An event is filed into its round as it arrives (the round is the count of its key's events
 * already buffered), so buffering costs one map update and no per-key queue.
 */
public final class KeyedEventBuffer {

    /** Buffered events per key, while any are buffered. */
    private final Map<Object, Integer> pendingPerKey = new HashMap<>();

    /** rounds.get(r): the keys and events of round r, in arrival order. */
    private final List<Round> rounds = new ArrayList<>();

    /** The next round {@link #pollRound} returns. */
    private int nextRound;

    private int size;

    private static final class Round {
        final List<Object> keys = new ArrayList<>();
        final List<GruEvent> events = new ArrayList<>();
    }

    /** Buffers {@code event} of {@code key}. */
    public void add(Object key, GruEvent event) {
        int round = pendingPerKey.merge(key, 1, Integer::sum) - 1 + nextRound;
        while (rounds.size() <= round) {
            rounds.add(new Round());
        }
        rounds.get(round).keys.add(key);
        rounds.get(round).events.add(event);
        size++;
    }

    /** Buffered events, all keys together. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Moves the oldest pending event of every key into {@code keys} and {@code events}. */
    public void pollRound(List<Object> keys, List<GruEvent> events) {
        if (size == 0) {
            return;
        }
        Round round = rounds.get(nextRound++);
        keys.addAll(round.keys);
        events.addAll(round.events);
        for (Object key : round.keys) {
            pendingPerKey.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
        }
        size -= round.events.size();
        round.keys.clear();
        round.events.clear();
        if (size == 0) {
            nextRound = 0;
        }
    }
}
