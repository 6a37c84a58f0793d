package dev.flinkgru.jobs.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
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

    /**
     * Reads the rest of what {@code parser} holds: malformed content or a second value after the
     * first fails as {@link ObjectMapper#readTree} would.
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
     * A non-empty string field read by a streaming parser ({@code token} null: absent), as its
     * reasons.
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

    /**
     * The token of a number field as the integer checks see it: an integer beyond a long reads as
     * {@link JsonToken#VALUE_NUMBER_FLOAT} (not an integer the job can use).
     */
    public static JsonToken longToken(JsonParser parser, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                ? JsonToken.VALUE_NUMBER_FLOAT
                : token;
    }

    /**
     * An integral field that fits a long, read by a streaming parser: {@code token} from {@link
     * #longToken} (null: absent).
     */
    public static void checkInteger(String field, JsonToken token) throws BadInputException {
        if (token == null || token == JsonToken.VALUE_NULL) {
            throw new BadInputException("missing '" + field + "'");
        }
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new BadInputException("'" + field + "' must be an integer");
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
}
