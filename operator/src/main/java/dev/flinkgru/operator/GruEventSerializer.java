package dev.flinkgru.operator;

import dev.flinkgru.state.EventFields;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link GruEvent}, chosen by {@link GruEventTypeInfo}: the event's fields as {@link
 * EventFields} writes them, the same encoding as a waiting event's in state, without its version
 * byte (the event crosses the network between the parser and the operator, and is kept in no state
 * of the project's). Key, features and origin may be null.
 *
 * <p>Flink's POJO serializer wrote the same event field by field with a null flag each, and each
 * string (the origin is the whole input record) char by char.
 */
@Internal
public final class GruEventSerializer extends TypeSerializerSingleton<GruEvent> {

    private static final long serialVersionUID = 1L;

    /** The stateless singleton. */
    public static final GruEventSerializer INSTANCE = new GruEventSerializer();

    private static final String WHAT = "GRU event";

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public GruEvent createInstance() {
        return new GruEvent();
    }

    @Override
    public GruEvent copy(GruEvent from) {
        return new GruEvent(
                        from.key,
                        from.timestamp,
                        from.eventId,
                        from.features == null ? null : from.features.clone())
                .withOrigin(from.origin);
    }

    @Override
    public GruEvent copy(GruEvent from, GruEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(GruEvent event, DataOutputView target) throws IOException {
        EventFields.write(
                event.key, event.timestamp, event.eventId, event.features, event.origin, target);
    }

    @Override
    public GruEvent deserialize(DataInputView source) throws IOException {
        return EventFields.read(source, GruEventSerializer::event, WHAT);
    }

    @Override
    public GruEvent deserialize(GruEvent reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private static GruEvent event(
            String key, long timestamp, long eventId, float[] features, String origin) {
        return new GruEvent(key, timestamp, eventId, features).withOrigin(origin);
    }

    @Override
    public TypeSerializerSnapshot<GruEvent> snapshotConfiguration() {
        return new GruEventSerializerSnapshot();
    }

    /** The snapshot: no parameters. */
    public static final class GruEventSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<GruEvent> {
        public GruEventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
