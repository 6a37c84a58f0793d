package dev.flinkgru.operator;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of {@link GruEvent}, with its own {@link GruEventSerializer} instead of Flink's POJO
 * serializer. {@link GruEvent} names its {@link Factory} in a {@code @TypeInfo} annotation, so
 * {@code TypeInformation.of(GruEvent.class)}, a POJO's field of the type and the type extracted
 * from a function all come here.
 */
@Internal
public final class GruEventTypeInfo extends TypeInformation<GruEvent> {

    private static final long serialVersionUID = 1L;

    /** The one instance; the type has no parameters. */
    public static final GruEventTypeInfo INSTANCE = new GruEventTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<GruEvent> getTypeClass() {
        return GruEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<GruEvent> createSerializer(SerializerConfig config) {
        return GruEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "GruEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GruEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return GruEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof GruEventTypeInfo;
    }

    /** Named by {@link GruEvent}'s {@code @TypeInfo} annotation. */
    public static final class Factory extends TypeInfoFactory<GruEvent> {
        @Override
        public TypeInformation<GruEvent> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
