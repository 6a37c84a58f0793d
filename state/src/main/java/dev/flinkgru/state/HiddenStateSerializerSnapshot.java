package dev.flinkgru.state;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of {@link HiddenStateSerializer}. Its version is the serializer's format version;
 * versions this code does not know are rejected with a message naming the version.
 */
@Internal
public final class HiddenStateSerializerSnapshot implements TypeSerializerSnapshot<HiddenState> {

    /** The format version read from a snapshot (or the current one for a new snapshot). */
    private int formatVersion = HiddenStateSerializer.FORMAT_VERSION;

    @Override
    public int getCurrentVersion() {
        return HiddenStateSerializer.FORMAT_VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        // The version number is written by Flink; the format has no other parameters.
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
            throws IOException {
        if (readVersion < 1 || readVersion > HiddenStateSerializer.FORMAT_VERSION) {
            throw new IOException(
                    "Unknown HiddenState serializer version "
                            + readVersion
                            + "; this build reads versions 1.."
                            + HiddenStateSerializer.FORMAT_VERSION);
        }
        formatVersion = readVersion;
    }

    /** The serializer of the snapshot's format version (only version 1 exists so far). */
    @Override
    public TypeSerializer<HiddenState> restoreSerializer() {
        switch (formatVersion) {
            case 1:
                return HiddenStateSerializer.INSTANCE;
            default:
                throw new IllegalStateException(
                        "No serializer for HiddenState format version " + formatVersion);
        }
    }

    @Override
    public TypeSerializerSchemaCompatibility<HiddenState> resolveSchemaCompatibility(
            TypeSerializerSnapshot<HiddenState> oldSerializerSnapshot) {
        if (!(oldSerializerSnapshot instanceof HiddenStateSerializerSnapshot)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int oldVersion = ((HiddenStateSerializerSnapshot) oldSerializerSnapshot).formatVersion;
        return oldVersion == HiddenStateSerializer.FORMAT_VERSION
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
}
