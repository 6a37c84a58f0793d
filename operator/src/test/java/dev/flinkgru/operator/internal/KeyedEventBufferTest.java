package dev.flinkgru.operator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.GruEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedEventBufferTest {

    private static GruEvent event(String key, long id) {
        return new GruEvent(key, id, id, new float[] {id});
    }

    private static List<Long> round(KeyedEventBuffer buffer) {
        List<Object> keys = new ArrayList<>();
        List<GruEvent> events = new ArrayList<>();
        buffer.pollRound(keys, events);
        assertThat(keys).doesNotHaveDuplicates();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).key).isEqualTo(keys.get(i));
            ids.add(events.get(i).eventId);
        }
        return ids;
    }

    @Test
    void roundRHoldsTheRthPendingEventOfEveryKeyInArrivalOrder() {
        KeyedEventBuffer buffer = new KeyedEventBuffer();
        String[] keys = {"a", "b", "a", "c", "a", "c", "d"};
        for (int i = 0; i < keys.length; i++) {
            buffer.add(keys[i], event(keys[i], i));
        }
        assertThat(buffer.size()).isEqualTo(7);
        assertThat(round(buffer)).containsExactly(0L, 1L, 3L, 6L);
        assertThat(round(buffer)).containsExactly(2L, 5L);
        assertThat(round(buffer)).containsExactly(4L);
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(round(buffer)).isEmpty();
    }

    @Test
    void aDrainedBufferStartsAgainFromRoundZero() {
        KeyedEventBuffer buffer = new KeyedEventBuffer();
        buffer.add("a", event("a", 0));
        buffer.add("a", event("a", 1));
        assertThat(round(buffer)).containsExactly(0L);
        assertThat(round(buffer)).containsExactly(1L);
        buffer.add("a", event("a", 2));
        buffer.add("b", event("b", 3));
        assertThat(round(buffer)).containsExactly(2L, 3L);
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    void eventsAddedBetweenRoundsJoinTheirKeysQueue() {
        KeyedEventBuffer buffer = new KeyedEventBuffer();
        buffer.add("a", event("a", 0));
        buffer.add("a", event("a", 1));
        assertThat(round(buffer)).containsExactly(0L);
        buffer.add("a", event("a", 2));
        buffer.add("b", event("b", 3));
        assertThat(round(buffer)).containsExactly(1L, 3L);
        assertThat(round(buffer)).containsExactly(2L);
    }
}
