package dev.flinkgru.operator.internal;

import dev.flinkgru.operator.GruEvent;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Buffered events per key, in arrival order. {@link #pollRound} takes the oldest pending event of
 * every key at once: round r holds each key's r-th pending event, so no key appears twice in a
 * round and each key's events leave in the order they came.
 */
public final class KeyedEventBuffer {

    private final Map<Object, ArrayDeque<GruEvent>> pending = new LinkedHashMap<>();
    private int size;

    /** Buffers {@code event} of {@code key}. */
    public void add(Object key, GruEvent event) {
        pending.computeIfAbsent(key, k -> new ArrayDeque<>(2)).addLast(event);
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
        Iterator<Map.Entry<Object, ArrayDeque<GruEvent>>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Object, ArrayDeque<GruEvent>> entry = it.next();
            ArrayDeque<GruEvent> queue = entry.getValue();
            keys.add(entry.getKey());
            events.add(queue.pollFirst());
            size--;
            if (queue.isEmpty()) {
                it.remove();
            }
        }
    }
}
