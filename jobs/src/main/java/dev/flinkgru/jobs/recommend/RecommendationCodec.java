package dev.flinkgru.jobs.recommend;

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
import java.io.IOException;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Events {@code {"user":"u-9","item":4711,"ts":...}} in; {@code {"user","ts","items":[K
 * ids],"scores":[K floats]}} out. The item id is the model's one input feature; the model computes
 * the top K itself (torch.topk, on its device) and returns K ids then K scores, so only 2K floats
 * per event leave the predictor.
 */
public final class RecommendationCodec implements GruKafkaPipeline.Codec {

    private static final long serialVersionUID = 1L;

    /**
     * The most items: an id reaches the model as a float32, which holds every integer only up to
     * 2^24; past it two ids would read as one.
     */
    public static final int MAX_ITEMS = 1 << 24;

    private final int items;
    private final int k;

    /**
     * @param items the model's item ids are 0 .. items - 1 ({@code rec.items}), at most {@link
     *     #MAX_ITEMS}
     * @param k the model's K ({@code rec.top-k}), at least 1
     * @throws IllegalConfigurationException naming the option that is out of range
     */
    public RecommendationCodec(int items, int k) {
        if (items < 1 || items > MAX_ITEMS) {
            throw new IllegalConfigurationException(
                    RecommendationOptions.ITEMS.key()
                            + " must be between 1 and "
                            + MAX_ITEMS
                            + " (item ids reach the model as float32, exact up to 2^24), was "
                            + items);
        }
        if (k < 1) {
            throw new IllegalConfigurationException(
                    RecommendationOptions.TOP_K.key() + " must be at least 1, was " + k);
        }
        this.items = items;
        this.k = k;
    }

    /**
     * One pass of Jackson's streaming parser over the record, as {@code SensorCodec}'s: the fields
     * taken as they come (others skipped), then checked in a fixed order (user, item, ts, the
     * item's range). Malformed JSON, a duplicate field and trailing content are refused first.
     */
    @Override
    public GruEvent parse(KafkaInput input) throws BadInputException {
        JsonToken userToken = null;
        String user = null;
        JsonToken itemToken = null;
        long item = 0;
        JsonToken tsToken = null;
        long ts = 0;
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
                    case "user":
                        userToken = token;
                        user = token == JsonToken.VALUE_STRING ? p.getText() : null;
                        break;
                    case "item":
                        itemToken = Json.longToken(p, token);
                        item = itemToken == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                        break;
                    case "ts":
                        tsToken = Json.longToken(p, token);
                        ts = tsToken == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
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
        Json.checkText("user", userToken, user);
        Json.checkInteger("item", itemToken);
        Json.checkInteger("ts", tsToken);
        if (item < 0 || item >= items) {
            throw new BadInputException(
                    "item id " + item + " outside the model's range [0, " + items + ")");
        }
        return new GruEvent(user, ts, input.eventId(), new float[] {item});
    }

    /**
     * Written with Jackson's streaming generator straight to UTF-8 ({@link JsonBytes}), as the tree
     * would print it.
     */
    @Override
    public byte[] format(GruPrediction p) {
        if (p.output.length != 2 * k) {
            throw new IllegalStateException(
                    "The recommendation model returned "
                            + p.output.length
                            + " outputs per event; rec.top-k="
                            + k
                            + " needs "
                            + 2 * k
                            + " (K ids, then K scores)");
        }
        return JsonBytes.write(g -> write(p, g));
    }

    private void write(GruPrediction p, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("user", p.key);
        g.writeNumberField("ts", p.timestamp);
        g.writeArrayFieldStart("items");
        for (int i = 0; i < k; i++) {
            g.writeNumber(Math.round(p.output[i]));
        }
        g.writeEndArray();
        g.writeArrayFieldStart("scores");
        for (int i = 0; i < k; i++) {
            g.writeNumber(p.output[k + i]);
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
