package dev.flinkgru.jobs.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The jobs' JSON reading helpers; every failure is a {@link BadInputException} with a reason. */
public final class Json {

    /** Shared, thread-safe once configured. */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();

    private Json() {}

    /** Parses {@code raw} as one JSON object. */
    public static JsonNode object(String raw) throws BadInputException {
        JsonNode node;
        try {
            node = MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new BadInputException("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadInputException("expected a JSON object");
        }
        return node;
    }

    /** A non-empty string field. */
    public static String text(JsonNode object, String field) throws BadInputException {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            throw new BadInputException("missing '" + field + "'");
        }
        if (!node.isTextual()) {
            throw new BadInputException("'" + field + "' must be a string");
        }
        if (node.asText().isEmpty()) {
            throw new BadInputException("'" + field + "' is empty");
        }
        return node.asText();
    }

    /** An integral number field that fits a long. */
    public static long integer(JsonNode object, String field) throws BadInputException {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            throw new BadInputException("missing '" + field + "'");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new BadInputException("'" + field + "' must be an integer");
        }
        return node.asLong();
    }

    /** A finite float32 from a number node, or a reason naming {@code what}. */
    public static float finiteFloat(JsonNode node, String what) throws BadInputException {
        if (node == null || !node.isNumber()) {
            throw new BadInputException(what + " must be a number");
        }
        double value = node.asDouble();
        float f = (float) value;
        if (!Double.isFinite(value) || !Float.isFinite(f)) {
            throw new BadInputException(what + " is not finite");
        }
        return f;
    }
}
