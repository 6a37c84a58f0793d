package dev.flinkgru.state;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link WaitingEvent}, format version {@value #FORMAT_VERSION}: {@code byte version
 * | string key | long ts | long id | int F | F x float32 | string origin}, a string being {@code
 * boolean present | [int n | n bytes of UTF-8]}: the version, then the {@link EventFields}.
 */
@Internal
public final class WaitingEventSerializer extends TypeSerializerSingleton<WaitingEvent> {

    private static final long serialVersionUID = 1L;

    /** The format this serializer writes. */
    public static final int FORMAT_VERSION = 1;

    /** The stateless singleton. */
    public static final WaitingEventSerializer INSTANCE = new WaitingEventSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public WaitingEvent createInstance() {
        return new WaitingEvent(null, 0, 0, new float[0], null);
    }

    @Override
    public WaitingEvent copy(WaitingEvent from) {
        return new WaitingEvent(
                from.key(),
                from.timestamp(),
                from.eventId(),
                from.features().clone(),
                from.origin());
    }

    @Override
    public WaitingEvent copy(WaitingEvent from, WaitingEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(WaitingEvent event, DataOutputView target) throws IOException {
        target.writeByte(FORMAT_VERSION);
        EventFields.write(
                event.key(),
                event.timestamp(),
                event.eventId(),
                event.features(),
                event.origin(),
                target);
    }

    @Override
    public WaitingEvent deserialize(DataInputView source) throws IOException {
        int version = source.readByte();
        if (version != FORMAT_VERSION) {
            throw new IOException(
                    "Waiting event of format version "
                            + version
                            + "; this version reads "
                            + FORMAT_VERSION);
        }
        return EventFields.read(source, WaitingEventSerializer::waitingEvent, "waiting event");
    }

    private static WaitingEvent waitingEvent(
            String key, long timestamp, long eventId, float[] features, String origin)
            throws IOException {
        if (features == null) {
            throw new IOException("Corrupt waiting event: F=-1");
        }
        return new WaitingEvent(key, timestamp, eventId, features, origin);
    }

    @Override
    public WaitingEvent deserialize(WaitingEvent reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<WaitingEvent> snapshotConfiguration() {
        return new WaitingEventSerializerSnapshot();
    }

    /** The snapshot: no parameters; the format version travels with every element. */
    public static final class WaitingEventSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<WaitingEvent> {
        public WaitingEventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
