package dev.flinkgru.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.state.ListStateDescriptor;

/**
 * The keyed state of events waiting for the watermark ({@code gru.order} EVENT_TIME): each key's
 * waiting events, in arrival order, in a list state named {@value #STATE_NAME}; an event-time timer
 * at each waiting timestamp (timer service {@value #TIMER_SERVICE}, the one Flink's keyed process
 * operators and the State Processor API's bootstrap functions use) releases them.
 */
@PublicEvolving
public final class WaitingEvents {

    /** Name of the keyed list state holding each key's events waiting for the watermark. */
    public static final String STATE_NAME = "gru-waiting";

    /** Name of the internal timer service whose event-time timers release waiting events. */
    public static final String TIMER_SERVICE = "user-timers";

    private static final Comparator<WaitingEvent> BY_TIME =
            Comparator.comparingLong(WaitingEvent::timestamp);

    private WaitingEvents() {}

    /** The descriptor of the waiting events' state (without TTL). */
    public static ListStateDescriptor<WaitingEvent> descriptor() {
        return new ListStateDescriptor<>(STATE_NAME, WaitingEventSerializer.INSTANCE);
    }

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
