package dev.flinkgru.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
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

    /** The format is in savepoints: written here field by field from its description. */
    @Test
    void writesFormatVersionOneByteForByte() throws IOException {
        WaitingEvent event =
                new WaitingEvent("ключ", 1_764_000_000_000L, 7, new float[] {1.5f, -2f}, null);
        DataOutputSerializer expected = new DataOutputSerializer(64);
        expected.writeByte(1);
        expected.writeBoolean(true);
        byte[] key = "ключ".getBytes(StandardCharsets.UTF_8);
        expected.writeInt(key.length);
        expected.write(key);
        expected.writeLong(1_764_000_000_000L);
        expected.writeLong(7);
        expected.writeInt(2);
        expected.writeFloat(1.5f);
        expected.writeFloat(-2f);
        expected.writeBoolean(false);

        DataOutputSerializer written = new DataOutputSerializer(64);
        WaitingEventSerializer.INSTANCE.serialize(event, written);

        assertThat(written.getCopyOfBuffer()).isEqualTo(expected.getCopyOfBuffer());
    }

    @Test
    void aWaitingEventWithoutFeaturesIsCorrupt() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeByte(1);
        out.writeBoolean(false);
        out.writeLong(1);
        out.writeLong(2);
        out.writeInt(-1);
        out.writeBoolean(false);

        assertThatThrownBy(
                        () ->
                                WaitingEventSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(out.getCopyOfBuffer())))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt waiting event: F=-1");
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
