package dev.flinkgru.jobs.sensor;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.flinkgru.jobs.pipeline.Json;
import dev.flinkgru.jobs.pipeline.KafkaInput;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruEventSerializer;
import dev.flinkgru.operator.GruPrediction;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The sensor job's per-record CPU outside Flink's runtime, for a whole-process CPU comparison of
 * its two halves, each either as before issue 21's third pass or as now: {@code CodecCost
 * <pojo|own> <text|bytes> N} parses N readings (F=8, as the bench's Kafka job writes them), sends
 * each event through the keyBy's serializer and back ({@code pojo}: Flink's POJO serializer of
 * GruEvent; {@code own}: {@link GruEventSerializer}), and formats N 8-value forecasts ({@code
 * text}: a new generator over a StringWriter, then the String as UTF-8, as the sink did; {@code
 * bytes}: {@link SensorCodec#format}). Prints a checksum, so that nothing is optimised away.
 */
public final class CodecCost {

    private static final int FEATURES = 8;

    private CodecCost() {}

    public static void main(String[] args) throws IOException {
        TypeSerializer<GruEvent> serializer =
                switch (args[0]) {
                    case "pojo" ->
                            Types.POJO(
                                            GruEvent.class,
                                            Map.of(
                                                    "key", Types.STRING,
                                                    "timestamp", Types.LONG,
                                                    "eventId", Types.LONG,
                                                    "features", Types.PRIMITIVE_ARRAY(Types.FLOAT),
                                                    "origin", Types.STRING))
                                    .createSerializer(new SerializerConfigImpl());
                    case "own" -> GruEventSerializer.INSTANCE;
                    default -> throw new IllegalArgumentException("pojo or own: " + args[0]);
                };
        boolean text =
                switch (args[1]) {
                    case "text" -> true;
                    case "bytes" -> false;
                    default -> throw new IllegalArgumentException("text or bytes: " + args[1]);
                };
        int n = Integer.parseInt(args[2]);

        SensorCodec codec = new SensorCodec(FEATURES);
        String[] readings = readings(1024);
        DataOutputSerializer out = new DataOutputSerializer(4096);
        DataInputDeserializer in = new DataInputDeserializer();
        long checksum = 0;
        for (int i = 0; i < n; i++) {
            KafkaInput input = new KafkaInput(readings[i & 1023], "readings", 0, i);
            GruEvent event;
            try {
                event = codec.parse(input).withOrigin(input.raw);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            out.clear();
            serializer.serialize(event, out);
            in.setBuffer(out.getSharedBuffer(), 0, out.length());
            GruEvent received = serializer.deserialize(in);
            GruPrediction p =
                    new GruPrediction(
                            received.key,
                            received.timestamp,
                            received.eventId,
                            received.features,
                            i,
                            0x9df8390936a796c1L);
            byte[] value =
                    text ? asText(codec, p).getBytes(StandardCharsets.UTF_8) : codec.format(p);
            checksum += value.length + received.origin.length();
        }
        System.out.println(args[0] + " " + args[1] + " " + n + ": " + checksum);
    }

    /** The forecast as the codec wrote it before it wrote bytes: through a String. */
    private static String asText(SensorCodec codec, GruPrediction p) throws IOException {
        StringWriter out = new StringWriter(96 + 16 * p.output.length);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            codec.write(p, g);
        }
        return out.toString();
    }

    /** Readings as the bench's Kafka job writes them. */
    private static String[] readings(int count) {
        String[] readings = new String[count];
        for (int i = 0; i < count; i++) {
            StringBuilder json = new StringBuilder(128);
            json.append("{\"sensor\":\"s")
                    .append((i * 2654435761L) % 100_000)
                    .append("\",\"ts\":")
                    .append(1_764_000_000_000L + i)
                    .append(",\"values\":[");
            long bits = i * 0x9E3779B97F4A7C15L;
            for (int f = 0; f < FEATURES; f++) {
                bits ^= bits >>> 29;
                bits *= 0xBF58476D1CE4E5B9L;
                json.append(f == 0 ? "" : ",").append(((bits >>> 40) & 0xFFFF) / 32768f - 1f);
            }
            readings[i] = json.append("]}").toString();
        }
        return readings;
    }
}
