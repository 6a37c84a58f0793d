package dev.flinkgru.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How events waiting for the watermark ({@code gru.order} EVENT_TIME) leave: each key's waiting
 * events are kept in arrival order ({@link GruKeyedState#waitingDescriptor()}), and an event-time
 * timer at each waiting timestamp ({@link GruKeyedState#TIMER_SERVICE}) releases those the
 * watermark has reached, in timestamp order.
 */
public final class WaitingEvents {

    private static final Comparator<WaitingEvent> BY_TIME =
            Comparator.comparingLong(WaitingEvent::timestamp);

    private WaitingEvents() {}

    /**
     * Splits {@code waiting} (a key's events in arrival order) at {@code watermark}: the events at
     * or before it go to {@code released} in timestamp order (equal timestamps in arrival order),
     * the others to {@code kept}, in arrival order.
     */
    public static void release(
            Iterable<WaitingEvent> waiting,
            long watermark,
            List<WaitingEvent> released,
            List<WaitingEvent> kept) {
        int from = released.size();
        for (WaitingEvent event : waiting) {
            (event.timestamp() <= watermark ? released : kept).add(event);
        }
        // List.sort is stable: equal timestamps keep their arrival order.
        released.subList(from, released.size()).sort(BY_TIME);
    }

    /** All of {@code waiting}, in the order it would be released: timestamp, then arrival. */
    public static List<WaitingEvent> inOrder(Iterable<WaitingEvent> waiting) {
        List<WaitingEvent> all = new ArrayList<>();
        release(waiting, Long.MAX_VALUE, all, new ArrayList<>());
        return all;
    }
}
