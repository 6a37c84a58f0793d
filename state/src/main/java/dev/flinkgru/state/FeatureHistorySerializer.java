package dev.flinkgru.state;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link FeatureHistory}, format version {@value #FORMAT_VERSION}: {@code int F | int
 * capacity | int size | size x F float32, oldest first}. Only the events kept are written, so the
 * size of a key's history in a checkpoint grows with its events up to the capacity.
 */
@Internal
public final class FeatureHistorySerializer extends TypeSerializerSingleton<FeatureHistory> {

    private static final long serialVersionUID = 1L;

    /** The format this serializer writes. */
    public static final int FORMAT_VERSION = 1;

    /** The stateless singleton. */
    public static final FeatureHistorySerializer INSTANCE = new FeatureHistorySerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public FeatureHistory createInstance() {
        return FeatureHistory.empty(1, 1);
    }

    @Override
    public FeatureHistory copy(FeatureHistory from) {
        return from.copy();
    }

    @Override
    public FeatureHistory copy(FeatureHistory from, FeatureHistory reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FeatureHistory history, DataOutputView target) throws IOException {
        target.writeInt(history.features());
        target.writeInt(history.capacity());
        target.writeInt(history.size());
        for (float v : history.events()) {
            target.writeFloat(v);
        }
    }

    @Override
    public FeatureHistory deserialize(DataInputView source) throws IOException {
        int features = source.readInt();
        int capacity = source.readInt();
        int size = source.readInt();
        if (features < 1 || capacity < 1 || size < 0 || size > capacity) {
            throw new IOException(
                    "Corrupt feature history: F="
                            + features
                            + ", capacity "
                            + capacity
                            + ", size "
                            + size);
        }
        float[] ring = new float[features * capacity];
        for (int i = 0; i < size * features; i++) {
            ring[i] = source.readFloat();
        }
        return new FeatureHistory(features, capacity, ring, 0, size);
    }

    @Override
    public FeatureHistory deserialize(FeatureHistory reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int features = source.readInt();
        int capacity = source.readInt();
        int size = source.readInt();
        target.writeInt(features);
        target.writeInt(capacity);
        target.writeInt(size);
        target.write(source, size * features * Float.BYTES);
    }

    @Override
    public TypeSerializerSnapshot<FeatureHistory> snapshotConfiguration() {
        return new FeatureHistorySerializerSnapshot();
    }

    /** The snapshot: format version {@value #FORMAT_VERSION}, no parameters. */
    public static final class FeatureHistorySerializerSnapshot
            extends SimpleTypeSerializerSnapshot<FeatureHistory> {
        public FeatureHistorySerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
