package dev.flinkgru.jobs.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkgru.jobs.pipeline.BadInputException;
import dev.flinkgru.jobs.pipeline.KafkaInput;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.testing.EventTimes;
import dev.flinkgru.state.ModelFingerprint;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The sensor job's records: what a reading must be, and what a forecast looks like. */
class SensorCodecTest {

    private static final long NOW = System.currentTimeMillis();
    private static final long SIX_YEARS_AGO = NOW - EventTimes.BACKFILL.toMillis();

    private final SensorCodec codec = new SensorCodec(3);

    private static KafkaInput record(String json) {
        return new KafkaInput(json, "sensor-readings", 3, 1_234_567L);
    }

    private GruEvent parse(String json) throws BadInputException {
        return codec.parse(record(json));
    }

    /** The forecast's bytes, which must be UTF-8. */
    private String formatted(GruPrediction p) {
        return new String(codec.format(p), StandardCharsets.UTF_8);
    }

    @Test
    void aReadingIsAnEventOfItsSensorTimeAndValues() throws Exception {
        GruEvent e =
                parse(
                        "{\"sensor\":\"plant-2/line-0/sensor-9\",\"ts\":"
                                + NOW
                                + ",\"values\":[1.5,-2,3e-3]}");
        assertThat(e.key).isEqualTo("plant-2/line-0/sensor-9");
        assertThat(e.timestamp).isEqualTo(NOW);
        assertThat(e.features).containsExactly(1.5f, -2f, 0.003f);
        assertThat(KafkaInput.partitionOf(e.eventId)).isEqualTo(3);
        assertThat(KafkaInput.offsetOf(e.eventId)).isEqualTo(1_234_567L);
    }

    @Test
    void keysOfEveryShapeTimesYearsBackAndFieldsInAnyOrder() throws Exception {
        GruEvent history =
                parse(
                        "{\"values\":[0,0.1,-0.25],\"ts\":"
                                + SIX_YEARS_AGO
                                + ",\"sensor\":\"capteur-\\u00e9t\\u00e9-3\",\"unit\":\"C\"}");
        assertThat(history.key).isEqualTo("capteur-été-3");
        assertThat(history.timestamp).isEqualTo(SIX_YEARS_AGO);
        assertThat(history.features).containsExactly(0f, 0.1f, -0.25f);

        assertThat(parse("{\"sensor\":\"温度计 🌡 #7\",\"ts\":0,\"values\":[1,2,3]}").key)
                .isEqualTo("温度计 🌡 #7");
        assertThat(parse("{\"sensor\":\"a,\\\"b\\\"\",\"ts\":-1,\"values\":[1,2,3]}").key)
                .isEqualTo("a,\"b\"");
        // The codec leaves the bounds of ts to the event checks: -1 is 1969, still an integer.
        assertThat(
                        parse("{\"sensor\":\"7f3a9c0e5b1d2f48\",\"ts\":-1,\"values\":[1,2,3]}")
                                .timestamp)
                .isEqualTo(-1L);
        // The float32 nearest to each value, as torch would take it.
        assertThat(
                        parse(
                                        "{\"sensor\":\"s\",\"ts\":1,\"values\":[0.1,"
                                                + "3.4028234663852886e38,1e-46]}")
                                .features)
                .containsExactly(0.1f, Float.MAX_VALUE, 0f);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "{not json                                                   | malformed JSON: ",
                "~~                                                          | expected a JSON object",
                "null                                                        | expected a JSON object",
                "[1,2,3]                                                     | expected a JSON object",
                "\"s-1\"                                                     | expected a JSON object",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[1,2,3]} {}           | malformed JSON: ",
                "{\"sensor\":\"s\",\"sensor\":\"t\",\"ts\":1,\"values\":[1,2,3]} | malformed JSON: Duplicate field 'sensor'",
                "{\"ts\":1,\"values\":[1,2,3]}                               | missing 'sensor'",
                "{\"sensor\":null,\"ts\":1,\"values\":[1,2,3]}               | missing 'sensor'",
                "{\"sensor\":17,\"ts\":1,\"values\":[1,2,3]}                 | 'sensor' must be a string",
                "{\"sensor\":[\"s\"],\"ts\":1,\"values\":[1,2,3]}            | 'sensor' must be a string",
                "{\"sensor\":\"\",\"ts\":1,\"values\":[1,2,3]}               | 'sensor' is empty",
                "{\"sensor\":\"s\",\"values\":[1,2,3]}                       | missing 'ts'",
                "{\"sensor\":\"s\",\"ts\":\"soon\",\"values\":[1,2,3]}       | 'ts' must be an integer",
                "{\"sensor\":\"s\",\"ts\":1.5,\"values\":[1,2,3]}            | 'ts' must be an integer",
                "{\"sensor\":\"s\",\"ts\":1e12,\"values\":[1,2,3]}           | 'ts' must be an integer",
                "{\"sensor\":\"s\",\"ts\":9223372036854775808,\"values\":[1,2,3]} | 'ts' must be an integer",
                "{\"sensor\":\"s\",\"ts\":1}                                 | missing 'values' array",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":\"1,2,3\"}            | missing 'values' array",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":{\"0\":1}}            | missing 'values' array",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[1,2]}                | expected 3 values, got 2",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[1,2,3,4]}            | expected 3 values, got 4",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[]}                   | expected 3 values, got 0",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[1,\"2\",3]}          | values[1] must be a number",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[1,2,null]}           | values[2] must be a number",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[true,2,3]}           | values[0] must be a number",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[1,1e999,3]}          | values[1] is not finite",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[1,2,-1e39]}          | values[2] is not finite",
                "{\"sensor\":\"s\",\"ts\":1,\"values\":[NaN,2,3]}            | malformed JSON: "
            })
    void everyFieldIsCheckedAndSaysWhatIsWrong(String json, String reason) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(reason);
    }

    @Test
    void theFirstProblemIsTheOneNamed() {
        // The key before ts, ts before values, the count before the values themselves.
        assertThatThrownBy(() -> parse("{\"ts\":\"x\",\"values\":[\"a\"]}"))
                .hasMessage("missing 'sensor'");
        assertThatThrownBy(() -> parse("{\"sensor\":\"s\",\"ts\":\"x\",\"values\":[\"a\"]}"))
                .hasMessage("'ts' must be an integer");
        assertThatThrownBy(() -> parse("{\"sensor\":\"s\",\"ts\":1,\"values\":[\"a\"]}"))
                .hasMessage("expected 3 values, got 1");
    }

    @Test
    void aForecastIsExactlyItsFields() throws Exception {
        GruPrediction p =
                new GruPrediction(
                        "capteur-été-3",
                        SIX_YEARS_AGO,
                        42L,
                        new float[] {0.1f, -2.5f},
                        17,
                        0x9df8390936a796c1L);
        String json = formatted(p);
        assertThat(json)
                .isEqualTo(
                        "{\"sensor\":\"capteur-été-3\",\"ts\":"
                                + SIX_YEARS_AGO
                                + ",\"forecast\":[0.1,-2.5],\"steps\":17,"
                                + "\"model\":\"9df8390936a796c1\"}");
        // Read back, each forecast value is the same float32.
        JsonNode node = new ObjectMapper().readTree(json);
        assertThat((float) node.get("forecast").get(0).asDouble()).isEqualTo(0.1f);
        // A fingerprint with a leading zero keeps its 16 digits; keys are escaped.
        assertThat(formatted(new GruPrediction("a\"b\\c", 1, 0, new float[] {1f}, 1, 0x00ab_cdefL)))
                .isEqualTo(
                        "{\"sensor\":\"a\\\"b\\\\c\",\"ts\":1,\"forecast\":[1.0],\"steps\":1,"
                                + "\"model\":\"0000000000abcdef\"}");
    }

    /**
     * The bytes are the tree's text as UTF-8, as the sink wrote it before the forecast became
     * bytes: a key beyond the basic plane as its four bytes (not an escaped surrogate pair),
     * control characters escaped; one forecast after another on one thread, nothing between them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"capteur-été-3", "sonde-🌡️-12", "tab\there", "ключ", "a\u0001b"})
    void aForecastIsTheTreesTextAsUtf8(String sensor) {
        GruPrediction p =
                new GruPrediction(
                        sensor, SIX_YEARS_AGO, 42L, new float[] {0.1f, -2.5f, 1e-7f}, 17, 9L);
        ObjectNode tree = new ObjectMapper().createObjectNode();
        tree.put("sensor", sensor);
        tree.put("ts", SIX_YEARS_AGO);
        tree.putArray("forecast").add(0.1f).add(-2.5f).add(1e-7f);
        tree.put("steps", 17L);
        tree.put("model", ModelFingerprint.toHex(9L));
        byte[] expected = tree.toString().getBytes(StandardCharsets.UTF_8);

        assertThat(codec.format(p)).isEqualTo(expected);
        assertThat(codec.format(p)).as("the same forecast again").isEqualTo(expected);
    }

    @Test
    void whatItFormatsItParsesBack() throws Exception {
        // A forecast read as a reading (as a chained job would): same sensor, time and values.
        String forecast =
                formatted(new GruPrediction("s-1", NOW, 0, new float[] {1f, 2f, 3f}, 2, 1L));
        GruEvent e = parse(forecast.replace("\"forecast\"", "\"values\""));
        assertThat(e.key).isEqualTo("s-1");
        assertThat(e.timestamp).isEqualTo(NOW);
        assertThat(e.features).containsExactly(1f, 2f, 3f);
    }
}
