package dev.flinkgru.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The one encoding of an event's fields, shared by the serializers that write an event: the waiting
 * event's in state ({@link WaitingEventSerializer}, in savepoints) and the input event's through
 * the network ({@code GruEventSerializer}).
 *
 * <p>{@code string key | long ts | long id | int F | F x float32 | string origin}, a string being
 * {@code boolean present | [int n | n bytes of UTF-8]}; F = -1 stands for no features (null), which
 * a waiting event never has. A string is encoded and decoded as a whole ({@link
 * String#getBytes(java.nio.charset.Charset)}, one write), not char by char: for the usual Latin-1
 * text that is one array copy.
 */
@Internal
public final class EventFields {

    private EventFields() {}

    /** Makes the record from the fields read. */
    @FunctionalInterface
    public interface Reader<T> {
        T of(String key, long timestamp, long eventId, float[] features, String origin)
                throws IOException;
    }

    /** Writes the fields; {@code key}, {@code features} and {@code origin} may be null. */
    public static void write(
            String key,
            long timestamp,
            long eventId,
            float[] features,
            String origin,
            DataOutputView target)
            throws IOException {
        writeString(key, target);
        target.writeLong(timestamp);
        target.writeLong(eventId);
        if (features == null) {
            target.writeInt(-1);
        } else {
            target.writeInt(features.length);
            for (float v : features) {
                target.writeFloat(v);
            }
        }
        writeString(origin, target);
    }

    /**
     * Reads the fields written by {@link #write} and hands them to {@code reader}.
     *
     * @param what names the record in the message of a corrupt input
     */
    public static <T> T read(DataInputView source, Reader<T> reader, String what)
            throws IOException {
        String key = readString(source, what);
        long timestamp = source.readLong();
        long eventId = source.readLong();
        int f = source.readInt();
        float[] features;
        if (f == -1) {
            features = null;
        } else if (f < 0) {
            throw new IOException("Corrupt " + what + ": F=" + f);
        } else {
            features = new float[f];
            for (int i = 0; i < f; i++) {
                features[i] = source.readFloat();
            }
        }
        return reader.of(key, timestamp, eventId, features, readString(source, what));
    }

    private static void writeString(String s, DataOutputView target) throws IOException {
        target.writeBoolean(s != null);
        if (s != null) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            target.writeInt(bytes.length);
            target.write(bytes);
        }
    }

    private static String readString(DataInputView source, String what) throws IOException {
        if (!source.readBoolean()) {
            return null;
        }
        int n = source.readInt();
        if (n < 0) {
            throw new IOException("Corrupt " + what + ": a string of " + n + " bytes");
        }
        byte[] bytes = new byte[n];
        source.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
