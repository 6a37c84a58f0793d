package dev.flinkgru.operator.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * Buffered events per key, in arrival order, and which keys have a step in flight.
 *
 * <p>{@link #pollReady} takes the oldest pending event of keys that are <em>ready</em>: keys with
 * an event waiting and no step in flight. A polled key is in flight until {@link #complete} is
 * called for it, so a key never appears twice in one batch nor in two batches at once, and each
 * key's events leave in the order they came. Keys become ready in the order their oldest pending
 * event became the head of their queue: run synchronously, batch after batch, this is the order of
 * rounds (the r-th pending event of every key in round r).
 *
 * @param <E> the events
 */
@Internal
public final class KeyedEventBuffer<E> {

    /** Pending events of each key with events pending or a step in flight. */
    private final Map<Object, ArrayDeque<E>> pending = new HashMap<>();

    /** Keys with events pending and no step in flight, in the order they became ready. */
    private final ArrayDeque<Object> ready = new ArrayDeque<>();

    /** Keys whose step is in flight. */
    private final Set<Object> inFlight = new HashSet<>();

    private int size;

    /** Buffers {@code event} of {@code key}. */
    public void add(Object key, E event) {
        ArrayDeque<E> queue = pending.computeIfAbsent(key, k -> new ArrayDeque<>());
        queue.add(event);
        if (queue.size() == 1 && !inFlight.contains(key)) {
            ready.add(key);
        }
        size++;
    }

    /** Buffered events, all keys together (events in flight not included). */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Whether {@link #pollReady} would return anything. */
    public boolean hasReady() {
        return !ready.isEmpty();
    }

    /** Keys with an event waiting and no step in flight: the rows the next batch can take. */
    public int readyKeys() {
        return ready.size();
    }

    /** Keys with a step in flight. */
    public int keysInFlight() {
        return inFlight.size();
    }

    /**
     * Moves the oldest pending event of up to {@code max} ready keys into {@code keys} and {@code
     * events} and marks those keys in flight.
     */
    public void pollReady(int max, List<Object> keys, List<E> events) {
        for (int i = 0; i < max && !ready.isEmpty(); i++) {
            Object key = ready.poll();
            events.add(pending.get(key).poll());
            keys.add(key);
            inFlight.add(key);
            size--;
        }
    }

    /** Ends the steps in flight of {@code keys}: keys with more events become ready again. */
    public void complete(Object[] keys, int count) {
        for (int i = 0; i < count; i++) {
            Object key = keys[i];
            if (!inFlight.remove(key)) {
                throw new IllegalStateException("Key " + key + " has no step in flight");
            }
            ArrayDeque<E> queue = pending.get(key);
            if (queue.isEmpty()) {
                pending.remove(key);
            } else {
                ready.add(key);
            }
        }
    }
}
