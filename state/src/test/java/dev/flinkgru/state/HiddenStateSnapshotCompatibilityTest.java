package dev.flinkgru.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Serializer snapshots and data written by format version 1 are committed under {@code
 * src/test/resources/hidden-state/v1/}; this build must keep reading them.
 */
class HiddenStateSnapshotCompatibilityTest {

    /** The state stored in {@code v1/data.bin}. */
    static final HiddenState V1_STATE =
            new HiddenState(
                    new float[] {0.25f, -1.5f, 3.0f, 1e-7f},
                    42,
                    1764230400000L,
                    0x0123456789abcdefL);

    @Test
    void aNewSnapshotRestoresAndIsCompatibleAsIs() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                out, HiddenStateSerializer.INSTANCE.snapshotConfiguration());
        TypeSerializerSnapshot<HiddenState> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());

        assertThat(restored.restoreSerializer()).isEqualTo(HiddenStateSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<HiddenState> compatibility =
                HiddenStateSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void theCommittedVersion1SnapshotAndDataStillRead() throws IOException {
        TypeSerializerSnapshot<HiddenState> snapshot =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                resource("hidden-state/v1/serializer-snapshot.bin")),
                        getClass().getClassLoader());
        assertThat(
                        HiddenStateSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(snapshot)
                                .isCompatibleAsIs())
                .isTrue();
        HiddenState state =
                snapshot.restoreSerializer()
                        .deserialize(
                                new DataInputDeserializer(resource("hidden-state/v1/data.bin")));
        assertThat(state).isEqualTo(V1_STATE);
    }

    @Test
    void anUnknownVersionIsRejectedByNumber() {
        HiddenStateSerializerSnapshot snapshot = new HiddenStateSerializerSnapshot();
        assertThatThrownBy(
                        () ->
                                snapshot.readSnapshot(
                                        7,
                                        new DataInputDeserializer(new byte[0]),
                                        getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 7");
    }

    @Test
    void anotherSerializersSnapshotIsIncompatible() {
        TypeSerializerSnapshot<HiddenState> foreign =
                new org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer<>(
                                HiddenState.class,
                                new org.apache.flink.api.common.serialization
                                        .SerializerConfigImpl())
                        .snapshotConfiguration();
        assertThat(
                        HiddenStateSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(foreign)
                                .isIncompatible())
                .isTrue();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in =
                HiddenStateSnapshotCompatibilityTest.class
                        .getClassLoader()
                        .getResourceAsStream(name)) {
            assertThat(in).as("resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Writes the committed v1 files; run once when format version 1 was current. */
    public static void main(String[] args) throws IOException {
        java.nio.file.Path dir = java.nio.file.Paths.get(args[0]);
        java.nio.file.Files.createDirectories(dir);
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                snapshot, HiddenStateSerializer.INSTANCE.snapshotConfiguration());
        java.nio.file.Files.write(
                dir.resolve("serializer-snapshot.bin"), snapshot.getCopyOfBuffer());
        DataOutputSerializer data = new DataOutputSerializer(64);
        HiddenStateSerializer.INSTANCE.serialize(V1_STATE, data);
        java.nio.file.Files.write(dir.resolve("data.bin"), data.getCopyOfBuffer());
    }
}
