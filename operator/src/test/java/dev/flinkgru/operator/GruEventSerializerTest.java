package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's own serializer contract tests for GruEvent's serializer (origin compared too, which
 * {@link GruEvent#equals} leaves out), and that every way of asking for GruEvent's type gets it.
 */
class GruEventSerializerTest extends SerializerTestBase<GruEvent> {

    @Override
    protected TypeSerializer<GruEvent> createSerializer() {
        return new GruEventSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<GruEvent> getTypeClass() {
        return GruEvent.class;
    }

    @Override
    protected GruEvent[] getTestData() {
        return new GruEvent[] {
            new GruEvent("sensor-1", 1_764_000_000_000L, 7, new float[] {1.5f, -2f})
                    .withOrigin("{\"sensor\":\"sensor-1\",\"ts\":1764000000000}"),
            new GruEvent("", Long.MIN_VALUE, -1, new float[0]),
            new GruEvent("ключ 🌡️", -86_400_000L, Long.MAX_VALUE, new float[] {Float.NaN})
                    .withOrigin("{\"sensor\":\"ключ 🌡️\"} é"),
            new GruEvent(null, 0, 0, null),
            new GruEvent(null, 3, 4, new float[] {0f}).withOrigin("x".repeat(70_000)),
            new GruEvent()
        };
    }

    @Override
    protected void deepEquals(String message, GruEvent should, GruEvent is) {
        super.deepEquals(message, should, is);
        assertThat(is.origin).as(message + ": origin").isEqualTo(should.origin);
        assertThat(is.features).as(message + ": features").isEqualTo(should.features);
    }

    @Test
    void everyWayOfAskingForTheTypeGetsTheEventsOwnSerializer() {
        SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
        noGenericTypes.setGenericTypes(false);

        assertThat(TypeInformation.of(GruEvent.class)).isEqualTo(GruEventTypeInfo.INSTANCE);
        assertThat(TypeInformation.of(GruEvent.class).createSerializer(noGenericTypes))
                .isSameAs(GruEventSerializer.INSTANCE);
        TypeInformation<RejectedEvent> rejected = TypeInformation.of(RejectedEvent.class);
        assertThat(rejected).isInstanceOf(PojoTypeInfo.class);
        assertThat(((PojoTypeInfo<RejectedEvent>) rejected).getTypeAt("event"))
                .isEqualTo(GruEventTypeInfo.INSTANCE);
        // The side output's POJO serializer builds with generic types (Kryo) disabled.
        assertThat(rejected.createSerializer(noGenericTypes)).isNotNull();
    }

    @Test
    void aCorruptFeatureCountIsRefusedByName() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeBoolean(false);
        out.writeLong(1);
        out.writeLong(2);
        out.writeInt(-2);

        assertThatThrownBy(
                        () ->
                                GruEventSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(out.getCopyOfBuffer())))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt GRU event: F=-2");
    }
}
