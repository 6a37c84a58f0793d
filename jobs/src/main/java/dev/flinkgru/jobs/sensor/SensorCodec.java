package dev.flinkgru.jobs.sensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkgru.jobs.pipeline.BadInputException;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.pipeline.Json;
import dev.flinkgru.jobs.pipeline.KafkaInput;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.state.ModelFingerprint;

/**
 * Readings {@code {"sensor":"s-17","ts":1764230400000,"values":[F floats]}} in; forecasts {@code
 * {"sensor","ts","forecast":[O floats],"steps":n,"model":"<fingerprint>"}} out.
 */
public final class SensorCodec implements GruKafkaPipeline.Codec {

    private static final long serialVersionUID = 1L;

    private final int features;

    public SensorCodec(int features) {
        this.features = features;
    }

    @Override
    public GruEvent parse(KafkaInput input) throws BadInputException {
        JsonNode reading = Json.object(input.raw);
        String sensor = Json.text(reading, "sensor");
        long ts = Json.integer(reading, "ts");
        JsonNode values = reading.get("values");
        if (values == null || !values.isArray()) {
            throw new BadInputException("missing 'values' array");
        }
        if (values.size() != features) {
            throw new BadInputException("expected " + features + " values, got " + values.size());
        }
        float[] x = new float[features];
        for (int i = 0; i < features; i++) {
            x[i] = Json.finiteFloat(values.get(i), "values[" + i + "]");
        }
        return new GruEvent(sensor, ts, input.eventId(), x);
    }

    @Override
    public String format(GruPrediction p) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("sensor", p.key);
        node.put("ts", p.timestamp);
        ArrayNode forecast = node.putArray("forecast");
        for (float v : p.output) {
            forecast.add(v);
        }
        node.put("steps", p.steps);
        node.put("model", ModelFingerprint.toHex(p.modelFingerprint));
        return node.toString();
    }
}
