package dev.flinkgru.jobs.recommend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkgru.jobs.pipeline.BadInputException;
import dev.flinkgru.jobs.pipeline.GruKafkaPipeline;
import dev.flinkgru.jobs.pipeline.Json;
import dev.flinkgru.jobs.pipeline.KafkaInput;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruPrediction;
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

    @Override
    public GruEvent parse(KafkaInput input) throws BadInputException {
        JsonNode event = Json.object(input.raw);
        String user = Json.text(event, "user");
        long item = Json.integer(event, "item");
        long ts = Json.integer(event, "ts");
        if (item < 0 || item >= items) {
            throw new BadInputException(
                    "item id " + item + " outside the model's range [0, " + items + ")");
        }
        return new GruEvent(user, ts, input.eventId(), new float[] {item});
    }

    @Override
    public String format(GruPrediction p) {
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
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("user", p.key);
        node.put("ts", p.timestamp);
        ArrayNode ids = node.putArray("items");
        ArrayNode scores = node.putArray("scores");
        for (int i = 0; i < k; i++) {
            ids.add(Math.round(p.output[i]));
            scores.add(p.output[k + i]);
        }
        return node.toString();
    }
}
