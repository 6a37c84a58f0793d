package dev.flinkgru.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.junit.jupiter.api.Test;

/** Flink's own serializer contract tests for WaitingEvent, and the release order. */
class WaitingEventSerializerTest extends SerializerTestBase<WaitingEvent> {

    @Override
    protected TypeSerializer<WaitingEvent> createSerializer() {
        return new WaitingEventSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<WaitingEvent> getTypeClass() {
        return WaitingEvent.class;
    }

    @Override
    protected WaitingEvent[] getTestData() {
        return new WaitingEvent[] {
            new WaitingEvent("sensor-1", 1_764_000_000_000L, 7, new float[] {1.5f, -2f}, null),
            new WaitingEvent("", Long.MIN_VALUE + 1, -1, new float[0], "{\"raw\": 1}"),
            new WaitingEvent("ключ 🌡️", -86_400_000L, Long.MAX_VALUE, new float[] {Float.NaN}, ""),
            new WaitingEvent(null, 0, 0, new float[] {0f}, "x".repeat(70_000))
        };
    }

    @Test
    void releasesWhatTheWatermarkReachedInTimestampOrderTiesInArrivalOrder() {
        List<WaitingEvent> waiting =
                List.of(
                        event(30, 0),
                        event(10, 1),
                        event(20, 2),
                        event(40, 3),
                        event(20, 4),
                        event(10, 5));
        List<WaitingEvent> released = new ArrayList<>();
        List<WaitingEvent> kept = new ArrayList<>();

        WaitingEvents.release(waiting, 30, released, kept);

        assertThat(released).extracting(WaitingEvent::eventId).containsExactly(1L, 5L, 2L, 4L, 0L);
        assertThat(kept).extracting(WaitingEvent::eventId).containsExactly(3L);
        assertThat(WaitingEvents.inOrder(waiting))
                .extracting(WaitingEvent::eventId)
                .containsExactly(1L, 5L, 2L, 4L, 0L, 3L);
    }

    private static WaitingEvent event(long ts, long id) {
        return new WaitingEvent("k", ts, id, new float[] {id}, null);
    }
}
