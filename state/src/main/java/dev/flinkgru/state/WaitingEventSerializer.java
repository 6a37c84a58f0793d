package dev.flinkgru.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link WaitingEvent}, format version {@value #FORMAT_VERSION}: {@code byte version
 * | string key | long ts | long id | int F | F x float32 | string origin}, a string being {@code
 * boolean present | [int n | n bytes of UTF-8]}.
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
        writeString(event.key(), target);
        target.writeLong(event.timestamp());
        target.writeLong(event.eventId());
        float[] features = event.features();
        target.writeInt(features.length);
        for (float v : features) {
            target.writeFloat(v);
        }
        writeString(event.origin(), target);
    }

    private static void writeString(String s, DataOutputView target) throws IOException {
        target.writeBoolean(s != null);
        if (s != null) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            target.writeInt(bytes.length);
            target.write(bytes);
        }
    }

    private static String readString(DataInputView source) throws IOException {
        if (!source.readBoolean()) {
            return null;
        }
        int n = source.readInt();
        if (n < 0) {
            throw new IOException("Corrupt waiting event: a string of " + n + " bytes");
        }
        byte[] bytes = new byte[n];
        source.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
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
        String key = readString(source);
        long timestamp = source.readLong();
        long eventId = source.readLong();
        int f = source.readInt();
        if (f < 0) {
            throw new IOException("Corrupt waiting event: F=" + f);
        }
        float[] features = new float[f];
        for (int i = 0; i < f; i++) {
            features[i] = source.readFloat();
        }
        return new WaitingEvent(key, timestamp, eventId, features, readString(source));
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
