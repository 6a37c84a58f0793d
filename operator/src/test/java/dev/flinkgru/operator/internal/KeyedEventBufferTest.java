package dev.flinkgru.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedEventBufferTest {

    private static GruEvent event(String key, long id) {
        return new GruEvent(key, id, id, new float[] {id});
    }

    /** The next batch of at most {@code max} rows, its keys marked in flight. */
    private static Polled poll(KeyedEventBuffer<GruEvent> buffer, int max) {
        List<Object> keys = new ArrayList<>();
        List<GruEvent> events = new ArrayList<>();
        buffer.pollReady(max, keys, events);
        assertThat(keys).doesNotHaveDuplicates();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).key).isEqualTo(keys.get(i));
            ids.add(events.get(i).eventId);
        }
        return new Polled(keys.toArray(), ids);
    }

    private record Polled(Object[] keys, List<Long> ids) {}

    /** Polls and completes at once, as a synchronous step does. */
    private static List<Long> step(KeyedEventBuffer<GruEvent> buffer, int max) {
        Polled polled = poll(buffer, max);
        buffer.complete(polled.keys(), polled.keys().length);
        return polled.ids();
    }

    @Test
    void synchronousStepsRunInRoundsOfEachKeysNextEventInArrivalOrder() {
        KeyedEventBuffer<GruEvent> buffer = new KeyedEventBuffer<>();
        String[] keys = {"a", "b", "a", "c", "a", "c", "d"};
        for (int i = 0; i < keys.length; i++) {
            buffer.add(keys[i], event(keys[i], i));
        }
        assertThat(buffer.size()).isEqualTo(7);
        assertThat(step(buffer, 100)).containsExactly(0L, 1L, 3L, 6L);
        assertThat(step(buffer, 100)).containsExactly(2L, 5L);
        assertThat(step(buffer, 100)).containsExactly(4L);
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.hasReady()).isFalse();
        assertThat(step(buffer, 100)).isEmpty();
    }

    @Test
    void aSmallBatchTakesTheOldestReadyKeysFirst() {
        KeyedEventBuffer<GruEvent> buffer = new KeyedEventBuffer<>();
        String[] keys = {"a", "b", "c", "a", "d"};
        for (int i = 0; i < keys.length; i++) {
            buffer.add(keys[i], event(keys[i], i));
        }
        assertThat(step(buffer, 2)).containsExactly(0L, 1L);
        // a's second event became ready after c and d were already waiting.
        assertThat(step(buffer, 2)).containsExactly(2L, 4L);
        assertThat(step(buffer, 2)).containsExactly(3L);
    }

    @Test
    void aKeyInFlightIsNeverPolledAgainUntilItsStepCompletes() {
        KeyedEventBuffer<GruEvent> buffer = new KeyedEventBuffer<>();
        buffer.add("a", event("a", 0));
        buffer.add("a", event("a", 1));
        buffer.add("b", event("b", 2));
        Polled first = poll(buffer, 1);
        assertThat(first.ids()).containsExactly(0L);
        assertThat(buffer.keysInFlight()).isEqualTo(1);

        // While a's step is in flight, only b is ready, however many rows a batch may take.
        Polled second = poll(buffer, 10);
        assertThat(second.ids()).containsExactly(2L);
        assertThat(buffer.hasReady()).isFalse();
        assertThat(buffer.size()).isEqualTo(1);
        buffer.add("a", event("a", 3));
        assertThat(buffer.hasReady()).isFalse();

        buffer.complete(first.keys(), 1);
        assertThat(poll(buffer, 10).ids()).containsExactly(1L);
        buffer.complete(second.keys(), 1);
        assertThat(buffer.hasReady()).isFalse(); // a is in flight again, b has nothing left
        assertThat(buffer.keysInFlight()).isEqualTo(1);
    }

    @Test
    void eventsAddedBetweenStepsJoinTheirKeysQueue() {
        KeyedEventBuffer<GruEvent> buffer = new KeyedEventBuffer<>();
        buffer.add("a", event("a", 0));
        buffer.add("a", event("a", 1));
        assertThat(step(buffer, 100)).containsExactly(0L);
        buffer.add("a", event("a", 2));
        buffer.add("b", event("b", 3));
        assertThat(step(buffer, 100)).containsExactly(1L, 3L);
        assertThat(step(buffer, 100)).containsExactly(2L);
        assertThat(buffer.keysInFlight()).isZero();
    }

    @Test
    void completingAKeyWithoutAStepInFlightIsAnError() {
        KeyedEventBuffer<GruEvent> buffer = new KeyedEventBuffer<>();
        assertThatThrownBy(() -> buffer.complete(new Object[] {"a"}, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a");
    }
}
