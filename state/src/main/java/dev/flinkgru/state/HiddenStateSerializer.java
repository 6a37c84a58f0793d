package dev.flinkgru.state;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link HiddenState}, format version {@value #FORMAT_VERSION}:
 *
 * <pre>int n | n × float32 values | long steps | long lastEventTime | long modelFingerprint</pre>
 *
 * <p>The format version is kept in the {@link HiddenStateSerializerSnapshot}; a new format gets a
 * new version there, and old snapshots are read with the serializer of their version.
 */
@Internal
public final class HiddenStateSerializer extends TypeSerializer<HiddenState> {

    private static final long serialVersionUID = 1L;

    /** The format this serializer writes. */
    public static final int FORMAT_VERSION = 1;

    /** The stateless singleton. */
    public static final HiddenStateSerializer INSTANCE = new HiddenStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<HiddenState> duplicate() {
        return this;
    }

    @Override
    public HiddenState createInstance() {
        return HiddenState.zero(0, 0L);
    }

    @Override
    public HiddenState copy(HiddenState from) {
        return from.copy();
    }

    @Override
    public HiddenState copy(HiddenState from, HiddenState reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(HiddenState state, DataOutputView target) throws IOException {
        float[] values = state.values();
        target.writeInt(values.length);
        for (float v : values) {
            target.writeFloat(v);
        }
        target.writeLong(state.steps());
        target.writeLong(state.lastEventTime());
        target.writeLong(state.modelFingerprint());
    }

    @Override
    public HiddenState deserialize(DataInputView source) throws IOException {
        int n = source.readInt();
        if (n < 0) {
            throw new IOException("Corrupt hidden state: negative size " + n);
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = source.readFloat();
        }
        long steps = source.readLong();
        long lastEventTime = source.readLong();
        long fingerprint = source.readLong();
        return new HiddenState(values, steps, lastEventTime, fingerprint);
    }

    @Override
    public HiddenState deserialize(HiddenState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int n = source.readInt();
        target.writeInt(n);
        target.write(source, n * Float.BYTES + 3 * Long.BYTES);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof HiddenStateSerializer;
    }

    @Override
    public int hashCode() {
        return HiddenStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<HiddenState> snapshotConfiguration() {
        return new HiddenStateSerializerSnapshot();
    }
}
