package dev.flinkgru.jobs.sensor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.flinkgru.jobs.pipeline.BadInputException;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.pipeline.Json;
import dev.flinkgru.jobs.pipeline.JsonBytes;
import dev.flinkgru.jobs.pipeline.KafkaInput;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.state.ModelFingerprint;
import java.io.IOException;

/**
 * Readings {@code {"sensor":"s-17","ts":1764230400000,"values":[F floats]}} in; forecasts {@code
 * {"sensor","ts","forecast":[O floats],"steps":n,"model":"<fingerprint>"}} out.
 */
public final class SensorCodec implements GruKafkaPipeline.Codec {

    private static final long serialVersionUID = 1L;

    private final int features;
    private transient long lastFingerprint;
    private transient String lastHex;

    public SensorCodec(int features) {
        this.features = features;
    }

    /**
     * One pass of Jackson's streaming parser over the record: the fields are taken as they come (in
     * any order, others skipped), then checked in a fixed order (sensor, ts, the count of values,
     * each value), so a record with several problems names the first of that order. Malformed JSON,
     * a duplicate field and trailing content are refused before any field is checked.
     */
    @Override
    public GruEvent parse(KafkaInput input) throws BadInputException {
        JsonToken sensorToken = null;
        String sensor = null;
        JsonToken tsToken = null;
        long ts = 0;
        boolean valuesArray = false;
        int count = 0;
        double[] values = new double[features];
        int firstNonNumber = -1;
        try (JsonParser p = Json.MAPPER.createParser(input.raw)) {
            JsonToken token = p.nextToken();
            if (token != JsonToken.START_OBJECT) {
                Json.skipToEnd(p);
                throw new BadInputException("expected a JSON object");
            }
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                token = p.nextToken();
                switch (field) {
                    case "sensor":
                        sensorToken = token;
                        sensor = token == JsonToken.VALUE_STRING ? p.getText() : null;
                        break;
                    case "ts":
                        tsToken = Json.longToken(p, token);
                        ts = tsToken == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                        break;
                    case "values":
                        valuesArray = token == JsonToken.START_ARRAY;
                        count = 0;
                        firstNonNumber = -1;
                        if (valuesArray) {
                            while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                                if (count < features) {
                                    if (token.isNumeric()) {
                                        values[count] = p.getDoubleValue();
                                    } else if (firstNonNumber < 0) {
                                        firstNonNumber = count;
                                    }
                                }
                                p.skipChildren();
                                count++;
                            }
                        }
                        break;
                    default:
                        break;
                }
                p.skipChildren();
            }
            Json.skipToEnd(p);
        } catch (JsonProcessingException e) {
            throw new BadInputException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInputException("malformed JSON: " + e.getMessage());
        }
        Json.checkText("sensor", sensorToken, sensor);
        Json.checkInteger("ts", tsToken);
        if (!valuesArray) {
            throw new BadInputException("missing 'values' array");
        }
        if (count != features) {
            throw new BadInputException("expected " + features + " values, got " + count);
        }
        float[] x = new float[features];
        for (int i = 0; i < features; i++) {
            if (i == firstNonNumber) {
                throw new BadInputException("values[" + i + "] must be a number");
            }
            x[i] = Json.finiteFloat(values[i], "values[" + i + "]");
        }
        return new GruEvent(sensor, ts, input.eventId(), x);
    }

    /**
     * Written with Jackson's streaming generator straight to UTF-8 ({@link JsonBytes}), as the tree
     * would print it.
     */
    @Override
    public byte[] format(GruPrediction p) {
        return JsonBytes.write(g -> write(p, g));
    }

    /** Writes the forecast of {@code p} with {@code g}. */
    void write(GruPrediction p, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("sensor", p.key);
        g.writeNumberField("ts", p.timestamp);
        g.writeArrayFieldStart("forecast");
        for (float v : p.output) {
            g.writeNumber(v);
        }
        g.writeEndArray();
        g.writeNumberField("steps", p.steps);
        g.writeStringField("model", modelHex(p.modelFingerprint));
        g.writeEndObject();
    }

    /** The fingerprint's hex, computed once per model rather than per forecast. */
    private String modelHex(long fingerprint) {
        if (lastHex == null || fingerprint != lastFingerprint) {
            lastFingerprint = fingerprint;
            lastHex = ModelFingerprint.toHex(fingerprint);
        }
        return lastHex;
    }
}
