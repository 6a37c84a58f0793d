package dev.flinkgru.jobs.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The jobs' JSON reading helpers; every failure is a {@link BadInputException} with a reason. */
public final class Json {

    /** Shared, thread-safe once configured. */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    // FastDoubleParser: the same correctly rounded doubles as Double.parseDouble,
                    // at a fraction of its cost (a reading's 8 values were a fifth of parsing).
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
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

    /**
     * Reads the rest of what {@code parser} holds: malformed content or a second value after the
     * first fails as {@link com.fasterxml.jackson.databind.ObjectMapper#readTree} would.
     */
    public static void skipToEnd(JsonParser parser) throws IOException, BadInputException {
        parser.skipChildren();
        JsonToken trailing = parser.nextToken();
        if (trailing != null) {
            throw new BadInputException(
                    "malformed JSON: trailing " + trailing + " after the value");
        }
    }

    /**
     * The checks of {@link #text} on a field read by a streaming parser ({@code token} null:
     * absent).
     */
    public static void checkText(String field, JsonToken token, String value)
            throws BadInputException {
        if (token == null || token == JsonToken.VALUE_NULL) {
            throw new BadInputException("missing '" + field + "'");
        }
        if (token != JsonToken.VALUE_STRING) {
            throw new BadInputException("'" + field + "' must be a string");
        }
        if (value.isEmpty()) {
            throw new BadInputException("'" + field + "' is empty");
        }
    }

    /** A finite float32 from a number read as a double, or a reason naming {@code what}. */
    public static float finiteFloat(double value, String what) throws BadInputException {
        float f = (float) value;
        if (!Double.isFinite(value) || !Float.isFinite(f)) {
            throw new BadInputException(what + " is not finite");
        }
        return f;
    }

    /** A finite float32 from a number node, or a reason naming {@code what}. */
    public static float finiteFloat(JsonNode node, String what) throws BadInputException {
        if (node == null || !node.isNumber()) {
            throw new BadInputException(what + " must be a number");
        }
        return finiteFloat(node.asDouble(), what);
    }
}
